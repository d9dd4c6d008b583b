package dev.veil.record;

import dev.veil.privacy.IdentifierScope;
import dev.veil.privacy.PseudonymKeys;
import dev.veil.rules.RuleContext;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Where, in an anonymised record's JSON bytes, the consent gate writes the subject- and
 * record-scoped pseudonyms: one int per placeholder occurrence, the offset of its first hex
 * character times two, plus one for record scope. A placeholder is {@value
 * PseudonymKeys#HEX_LENGTH} hex characters between quotes; the pseudonym that replaces it has the
 * same length, so the record is patched in place.
 */
public final class Slots {
    private Slots() {}

    /** The offset in the record of slot {@code slot}. */
    public static int offset(int slot) {
        return slot >>> 1;
    }

    /** The scope of slot {@code slot}: SUBJECT or RECORD. */
    public static IdentifierScope scope(int slot) {
        return (slot & 1) == 1 ? IdentifierScope.RECORD : IdentifierScope.SUBJECT;
    }

    /**
     * Every occurrence of the placeholders in {@code json}.
     *
     * @return the slots in the order of the record's bytes, or null when there is none
     */
    static int[] find(byte[] json, List<RuleContext.Placeholder> placeholders) {
        if (placeholders.isEmpty()) {
            return null;
        }
        int[] found = new int[placeholders.size()];
        int n = 0;
        for (RuleContext.Placeholder p : placeholders) {
            byte[] hex = p.hex().getBytes(StandardCharsets.US_ASCII);
            int from = 0;
            int at;
            while ((at = indexOf(json, hex, from)) >= 0) {
                if (n == found.length) {
                    found = Arrays.copyOf(found, n * 2);
                }
                int slot = at * 2 + (p.scope() == IdentifierScope.RECORD ? 1 : 0);
                if (!contains(found, n, slot)) {
                    found[n++] = slot;
                }
                from = at + hex.length;
            }
        }
        int[] slots = Arrays.copyOf(found, n);
        Arrays.sort(slots);
        return slots;
    }

    /** The index of the slot that holds {@code outputKey}, or -1. */
    static int keySlot(byte[] json, int[] slots, String outputKey) {
        if (slots == null || outputKey == null || outputKey.length() != PseudonymKeys.HEX_LENGTH) {
            return -1;
        }
        byte[] key = outputKey.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < slots.length; i++) {
            if (regionEquals(json, offset(slots[i]), key)) {
                return i;
            }
        }
        return -1;
    }

    private static boolean contains(int[] a, int n, int v) {
        for (int i = 0; i < n; i++) {
            if (a[i] == v) {
                return true;
            }
        }
        return false;
    }

    /** The index of {@code "hex"} (quoted) in {@code json} at or after {@code from}, at the hex. */
    private static int indexOf(byte[] json, byte[] hex, int from) {
        for (int i = Math.max(1, from); i + hex.length < json.length; i++) {
            if (json[i - 1] == '"' && json[i + hex.length] == '"' && regionEquals(json, i, hex)) {
                return i;
            }
        }
        return -1;
    }

    private static boolean regionEquals(byte[] json, int at, byte[] hex) {
        for (int j = 0; j < hex.length; j++) {
            if (json[at + j] != hex[j]) {
                return false;
            }
        }
        return true;
    }

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    /** {@code bytes} as lower-case hex. */
    public static String hex(byte[] bytes) {
        byte[] out = new byte[bytes.length * 2];
        writeHex(bytes, out, 0);
        return new String(out, StandardCharsets.US_ASCII);
    }

    /** Writes {@code bytes} as lower-case hex into {@code json} from {@code at}. */
    public static void writeHex(byte[] bytes, byte[] json, int at) {
        for (int i = 0; i < bytes.length; i++) {
            json[at + 2 * i] = HEX[(bytes[i] >> 4) & 0xF];
            json[at + 2 * i + 1] = HEX[bytes[i] & 0xF];
        }
    }

    /**
     * Reads {@code into.length} bytes of lower-case hex from {@code json} at {@code at}.
     *
     * @throws IllegalStateException if a character is not lower-case hex (a corrupt slot)
     */
    public static void readHex(byte[] json, int at, byte[] into) {
        for (int i = 0; i < into.length; i++) {
            into[i] = (byte) (nibble(json[at + 2 * i]) << 4 | nibble(json[at + 2 * i + 1]));
        }
    }

    private static int nibble(byte c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        throw new IllegalStateException("a pseudonym slot does not hold a placeholder");
    }
}
