package dev.veil.tools.demo;

import dev.veil.record.Json;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RiskSummaryTest {
    private static JsonNode window(
            String output, long records, long unique, long belowK, boolean over) throws Exception {
        return Json.MAPPER.readTree(
                "{\"output\":\""
                        + output
                        + "\",\"quasi_identifiers\":[\"event_time\",\"h3_cell\"],\"records\":"
                        + records
                        + ",\"unique_records\":"
                        + unique
                        + ",\"unique_share\":"
                        + ((double) unique / records)
                        + ",\"below_k_records\":"
                        + belowK
                        + ",\"k\":10,\"max_unique_share\":0.05,\"over_threshold\":"
                        + over
                        + "}");
    }

    @Test
    void perOutput_sharesOverAllWindows_worstWindow_andWindowsOverTheWarning() throws Exception {
        String s =
                RiskSummary.format(
                        List.of(
                                window("location", 100, 50, 80, true),
                                window("location", 300, 30, 90, true),
                                window("device", 200, 4, 20, false)));
        assertThat(s)
                .contains("k 10, warning above 5 % unique")
                .contains("location  on event_time, h3_cell:")
                .contains("400 records in 2 windows; unique 20.0 % (worst window 50.0 %)")
                .contains("in groups below k 42.5 %; 2 of 2 windows over the warning")
                .contains("200 records in 1 windows; unique 2.0 % (worst window 2.0 %)")
                .contains("0 of 1 windows over the warning");
        assertThat(s.indexOf("device")).isLessThan(s.indexOf("location"));
        assertThat(RiskSummary.format(List.of())).contains("no output marks a quasi_identifier");
    }
}
