package dev.veil.consent;

import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;

/**
 * A purpose of processing (GDPR Art. 6(1)(a): consent is given "for one or more specific
 * purposes").
 *
 * <p>Consent state stores granted purposes as a bit mask. Each purpose owns a fixed bit that never
 * changes, so savepoints stay readable when purposes are added; a new purpose takes the next free
 * bit and a removed purpose keeps its bit reserved.
 */
public enum Purpose {
    ANALYTICS("analytics", 0),
    PRODUCT_IMPROVEMENT("product_improvement", 1),
    PERSONALISATION("personalisation", 2),
    ADS("ads", 3),
    LOCATION("location", 4),
    RESEARCH("research", 5),
    SECURITY("security", 6);

    private final String wireName;
    private final int bit;

    Purpose(String wireName, int bit) {
        this.wireName = wireName;
        this.bit = bit;
    }

    /** The name used in topics and config, for example "product_improvement". */
    public String wireName() {
        return wireName;
    }

    /** This purpose's bit in a purpose mask: {@code 1 << bit}. */
    public int mask() {
        return 1 << bit;
    }

    /**
     * The purpose with this wire name.
     *
     * @throws IllegalArgumentException naming the unknown purpose and the known ones
     */
    public static Purpose fromWireName(String name) {
        for (Purpose p : values()) {
            if (p.wireName.equals(name)) {
                return p;
            }
        }
        throw new IllegalArgumentException(
                "unknown purpose '" + name + "'; known purposes are " + wireNames());
    }

    /** The known wire names, in bit order. */
    public static List<String> wireNames() {
        List<String> names = new ArrayList<>();
        for (Purpose p : values()) {
            names.add(p.wireName);
        }
        return names;
    }

    /** The mask of a set of purposes. */
    public static int maskOf(Collection<Purpose> purposes) {
        int m = 0;
        for (Purpose p : purposes) {
            m |= p.mask();
        }
        return m;
    }

    /** The purposes in a mask, for messages. */
    public static EnumSet<Purpose> fromMask(int mask) {
        EnumSet<Purpose> out = EnumSet.noneOf(Purpose.class);
        for (Purpose p : values()) {
            if ((mask & p.mask()) != 0) {
                out.add(p);
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return wireName.toLowerCase(Locale.ROOT);
    }
}
