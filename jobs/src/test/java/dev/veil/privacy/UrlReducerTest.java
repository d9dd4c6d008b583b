package dev.veil.privacy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UrlReducerTest {

    private final UrlReducer reducer = new UrlReducer();

    @ParameterizedTest(name = "[{0}] -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "https://example.com                                          | https://example.com",
                "https://example.com/                                         | https://example.com",
                "HTTP://User:Secret@Example.COM:8080/path/to?q=alice&x=1#frag | http://example.com",
                "https://alice@shop.example.org/orders/123?token=abc           | https://shop.example.org",
                "http://203.0.113.7:8080/x                                    | http://203.0.113.7",
                "https://[2001:DB8::1]:8443/x?y                               | https://[2001:db8::1]",
                "https://xn--bcher-kva.example/                               | https://xn--bcher-kva.example",
                "'  https://example.com/a  '                                  | https://example.com",
            })
    void reduce_httpUrl_keepsOnlySchemeAndHost(String url, String expected) throws Exception {
        assertThat(reducer.reduce(url)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(
            strings = {
                "javascript:alert(1)",
                "mailto:a@b",
                "not a url",
                "http://",
                "https://",
                "",
                "/relative/path?q=1",
                "//example.com/path",
                "ftp://example.com/file",
                "file:///etc/passwd",
                "data:text/plain,secret",
                "http:///path",
                "https://exa mple.com/",
                "http://[::1/",
                "urn:isbn:0451450523",
                "http://:80/"
            })
    void reduce_notHttpUrlWithHost_throwsInvalidUrlWithoutInput(String url) {
        assertThatThrownBy(() -> reducer.reduce(url))
                .isInstanceOfSatisfying(
                        InvalidValueException.class,
                        e -> {
                            assertThat(e.reason()).isEqualTo("invalid_url");
                            assertThat(e.getCause()).isNull();
                            if (!url.isEmpty()) {
                                assertThat(e.getMessage()).doesNotContain(url);
                            }
                        });
    }

    @Test
    void reduce_null_throwsInvalidUrl() {
        assertThatThrownBy(() -> reducer.reduce(null))
                .isInstanceOfSatisfying(
                        InvalidValueException.class,
                        e -> assertThat(e.reason()).isEqualTo("invalid_url"));
    }
}
