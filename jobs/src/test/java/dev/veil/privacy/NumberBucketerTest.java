package dev.veil.privacy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NumberBucketerTest {

    @ParameterizedTest(name = "width {0} origin {1} value {2} -> {3}")
    @CsvSource({
        "10, 0, 37, 30",
        "10, 0, 30, 30",
        "10, 0, 39.999, 30",
        "10, 0, 0, 0",
        "10, 0, -0.5, -10",
        "10, 0, -10, -10",
        "10, 5, 37, 35",
        "10, 5, 4, -5",
        "0.5, 0, 1.3, 1.0",
        "1000, -250, 1249.5, 750"
    })
    void lowerBound_value_returnsBucketStart(
            double width, double origin, double value, double expected) throws Exception {
        assertThat(new NumberBucketer(width, origin).lowerBound(value)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(doubles = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY})
    void lowerBound_nonFinite_throwsInvalidNumber(double value) {
        assertThatThrownBy(() -> new NumberBucketer(10, 0).lowerBound(value))
                .isInstanceOfSatisfying(
                        InvalidValueException.class,
                        e -> {
                            assertThat(e.reason()).isEqualTo("invalid_number");
                            assertThat(e.getMessage()).doesNotContain(Double.toString(value));
                        });
    }

    @Test
    void lowerBound_overflowingBound_throwsInvalidNumber() {
        assertThatThrownBy(
                        () -> new NumberBucketer(3, Double.MAX_VALUE).lowerBound(-Double.MAX_VALUE))
                .isInstanceOfSatisfying(
                        InvalidValueException.class,
                        e -> assertThat(e.reason()).isEqualTo("invalid_number"));
    }

    @ParameterizedTest
    @ValueSource(
            doubles = {
                0.0,
                -0.0,
                -1.0,
                Double.NaN,
                Double.POSITIVE_INFINITY,
                Double.NEGATIVE_INFINITY
            })
    void constructor_badWidth_throwsQuotingIt(double width) {
        assertThatThrownBy(() -> new NumberBucketer(width, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("was " + width);
    }

    @ParameterizedTest
    @ValueSource(doubles = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY})
    void constructor_nonFiniteOrigin_throwsQuotingIt(double origin) {
        assertThatThrownBy(() -> new NumberBucketer(1, origin))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("was " + origin);
    }
}
