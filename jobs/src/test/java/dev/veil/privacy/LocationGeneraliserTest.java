package dev.veil.privacy;

import com.uber.h3core.H3Core;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LocationGeneraliserTest {

    private static H3Core h3;

    @BeforeAll
    static void loadH3() throws Exception {
        TestDirectories.ensureJavaTmpDir();
        h3 = H3Core.newInstance();
    }

    /** Known answer from the H3 documentation and h3-java's own tests. */
    @Test
    void cell_sanFranciscoAtResolution9_isKnownCell() throws Exception {
        assertThat(new LocationGeneraliser(9).cell(37.7752702151959, -122.418307270836))
                .isEqualTo("8928308280fffff");
    }

    @Test
    void cell_nearbyPointInSameCell_givesSameCell() throws Exception {
        LocationGeneraliser res7 = new LocationGeneraliser(7);

        assertThat(res7.cell(37.7752702151959, -122.418307270836))
                .isEqualTo(res7.cell(37.7753, -122.4183));
    }

    @ParameterizedTest(name = "lat {0} lon {1} res {2}")
    @CsvSource({
        "0, 0, 0",
        "0, 0, 15",
        "90, 180, 3",
        "-90, -180, 15",
        "-33.8688, 151.2093, 5",
        "51.5074, -0.1278, 12"
    })
    void cell_anyValidPoint_isValidCellAtRequestedResolution(double lat, double lon, int res)
            throws Exception {
        String cell = new LocationGeneraliser(res).cell(lat, lon);

        assertThat(cell).matches("[0-9a-f]{15}");
        assertThat(h3.isValidCell(cell)).isTrue();
        assertThat(h3.getResolution(cell)).isEqualTo(res);
        assertThat(cell).isEqualTo(h3.latLngToCellAddress(lat, lon, res));
    }

    @Test
    void cell_negativeZero_isAcceptedAsZero() throws Exception {
        LocationGeneraliser res5 = new LocationGeneraliser(5);

        assertThat(res5.cell(-0.0, -0.0)).isEqualTo(res5.cell(0.0, 0.0));
    }

    @ParameterizedTest
    @ValueSource(
            doubles = {
                Double.NaN,
                Double.POSITIVE_INFINITY,
                Double.NEGATIVE_INFINITY,
                90.0000001,
                -90.0000001,
                Double.MAX_VALUE,
                -Double.MAX_VALUE,
                180.0
            })
    void cell_hostileLatitude_throwsInvalidCoordinates(double lat) {
        assertInvalid(lat, 0.0);
    }

    @ParameterizedTest
    @ValueSource(
            doubles = {
                Double.NaN,
                Double.POSITIVE_INFINITY,
                Double.NEGATIVE_INFINITY,
                -180.5,
                180.0000001,
                Double.MAX_VALUE,
                -Double.MAX_VALUE,
                360.0
            })
    void cell_hostileLongitude_throwsInvalidCoordinates(double lon) {
        assertInvalid(0.0, lon);
    }

    private static void assertInvalid(double lat, double lon) {
        assertThatThrownBy(() -> new LocationGeneraliser(9).cell(lat, lon))
                .isInstanceOfSatisfying(
                        InvalidValueException.class,
                        e -> {
                            assertThat(e.reason()).isEqualTo("invalid_coordinates");
                            assertThat(e.getMessage())
                                    .doesNotContain(Double.toString(lat == 0.0 ? lon : lat));
                        });
    }

    @Test
    void parent_coarserResolution_returnsAncestor() throws Exception {
        assertThat(LocationGeneraliser.parent("8928308280fffff", 7)).isEqualTo("872830828ffffff");
        assertThat(LocationGeneraliser.parent("8928308280FFFFF", 0)).isEqualTo("8029fffffffffff");
        assertThat(LocationGeneraliser.parent("8928308280fffff", 9)).isEqualTo("8928308280fffff");
    }

    @Test
    void parent_ofCell_equalsCellAtCoarserResolution() throws Exception {
        String fine = new LocationGeneraliser(12).cell(51.5074, -0.1278);

        assertThat(LocationGeneraliser.parent(fine, 6)).isEqualTo(h3.cellToParentAddress(fine, 6));
        assertThat(h3.getResolution(LocationGeneraliser.parent(fine, 6))).isEqualTo(6);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "zz28308280fffff",
                "8928308280fffff0",
                "0",
                "ffffffffffffffff",
                "-8928308280fffff",
                "8928308280 ffff"
            })
    void parent_invalidCell_throwsInvalidCellWithoutAddress(String address) {
        assertThatThrownBy(() -> LocationGeneraliser.parent(address, 3))
                .isInstanceOfSatisfying(
                        InvalidValueException.class,
                        e -> {
                            assertThat(e.reason()).isEqualTo("invalid_cell");
                            if (!address.isEmpty()) {
                                assertThat(e.getMessage()).doesNotContain(address);
                            }
                        });
    }

    @Test
    void parent_finerResolutionThanCell_throwsInvalidCell() {
        assertThatThrownBy(() -> LocationGeneraliser.parent("872830828ffffff", 9))
                .isInstanceOfSatisfying(
                        InvalidValueException.class,
                        e -> assertThat(e.reason()).isEqualTo("invalid_cell"));
    }

    @Test
    void parent_resolutionOutOfRange_throwsIllegalArgument() {
        assertThatThrownBy(() -> LocationGeneraliser.parent("8928308280fffff", 16))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("was 16");
        assertThatThrownBy(() -> LocationGeneraliser.parent("8928308280fffff", -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("was -1");
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 16, Integer.MAX_VALUE})
    void constructor_resolutionOutOfRange_throwsQuotingIt(int resolution) {
        assertThatThrownBy(() -> new LocationGeneraliser(resolution))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("was " + resolution);
    }
}
