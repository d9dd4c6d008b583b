package dev.veil.privacy;

import dev.veil.privacy.UserAgentReducer.Reduced;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

class UserAgentReducerTest {

    private static final String CHROME_ANDROID =
            "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36"
                    + " (KHTML, like Gecko) Chrome/120.0.6099.144 Mobile Safari/537.36";
    private static final String SAFARI_IPHONE =
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X)"
                    + " AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1";
    private static final String FIREFOX_WINDOWS =
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0";

    @Test
    void reduce_chromeOnAndroid_givesChromeMobileAndroid() {
        assertThat(UserAgentReducer.shared().reduce(CHROME_ANDROID))
                .isEqualTo(new Reduced("Chrome Mobile", "120", "Android", "Pixel 7"));
    }

    @Test
    void reduce_safariOnIphone_givesMobileSafariIos() {
        assertThat(UserAgentReducer.shared().reduce(SAFARI_IPHONE))
                .isEqualTo(new Reduced("Mobile Safari", "17", "iOS", "iPhone"));
    }

    @Test
    void reduce_firefoxOnWindows_givesFirefoxWindows() {
        assertThat(UserAgentReducer.shared().reduce(FIREFOX_WINDOWS))
                .isEqualTo(new Reduced("Firefox", "121", "Windows", "Other"));
    }

    @ParameterizedTest
    @CsvSource(
            value = {"''", "garbage", "NULL"},
            nullValues = "NULL")
    void reduce_unknownOrNull_givesOtherAndEmptyMajor(String userAgent) {
        assertThat(UserAgentReducer.shared().reduce(userAgent))
                .isEqualTo(new Reduced("Other", "", "Other", "Other"));
    }

    @Test
    void shared_calledTwice_returnsSameInstance() {
        assertThat(UserAgentReducer.shared()).isSameAs(UserAgentReducer.shared());
    }

    @Test
    void reduce_concurrentCalls_giveSameResultsAsSerial() throws Exception {
        UserAgentReducer reducer = UserAgentReducer.shared();
        String[] agents = new String[300];
        for (int i = 0; i < agents.length; i++) {
            // Distinct strings so the LRU cache is written to while other threads read it.
            agents[i] =
                    (i % 3 == 0 ? CHROME_ANDROID : i % 3 == 1 ? SAFARI_IPHONE : FIREFOX_WINDOWS)
                            + " x/"
                            + i;
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Reduced>> futures = new ArrayList<>();
            for (int round = 0; round < 8; round++) {
                for (String agent : agents) {
                    futures.add(pool.submit(() -> reducer.reduce(agent)));
                }
            }
            for (int i = 0; i < futures.size(); i++) {
                String family = futures.get(i).get().browserFamily();
                int kind = (i % agents.length) % 3;
                assertThat(family)
                        .isEqualTo(
                                kind == 0
                                        ? "Chrome Mobile"
                                        : kind == 1 ? "Mobile Safari" : "Firefox");
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
