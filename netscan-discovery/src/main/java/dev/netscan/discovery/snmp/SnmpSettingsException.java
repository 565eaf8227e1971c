package dev.netscan.discovery.snmp;

import java.util.List;

/** Invalid {@link SnmpSettings}: lists every problem found. Messages never quote a credential. */
public final class SnmpSettingsException extends IllegalArgumentException {

    private final List<String> problems;

    SnmpSettingsException(List<String> problems) {
        super("invalid SNMP settings: " + String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    /** Each problem as "setting: what is wrong". */
    public List<String> problems() {
        return problems;
    }
}
