package dev.veil.tools.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time and peak memory of this process from Linux procfs: {@code /proc/self/stat} fields 14 and
 * 15 (utime, stime, in clock ticks) and {@code /proc/self/status} VmHWM (peak resident set size).
 * See proc(5).
 */
final class ProcStats {
    /** USER_HZ; 100 on every Linux x86_64 and arm64 kernel (sysconf(_SC_CLK_TCK)). */
    static final double TICKS_PER_SECOND = 100.0;

    private ProcStats() {}

    /** User plus system CPU seconds of this process so far. */
    static double cpuSeconds() throws IOException {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        // The command name (field 2) is in parentheses and may hold spaces: split after the last
        // ')'.
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long utime = Long.parseLong(f[11]);
        long stime = Long.parseLong(f[12]);
        return (utime + stime) / TICKS_PER_SECOND;
    }

    /** Peak resident set size of this process, bytes. */
    static long peakRssBytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return -1;
    }
}
