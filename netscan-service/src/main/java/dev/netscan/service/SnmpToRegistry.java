package dev.netscan.service;

import dev.netscan.core.AddressBook;
import dev.netscan.core.MetricsSink;
import dev.netscan.core.SnmpInfo;
import dev.netscan.discovery.snmp.SnmpListener;
import dev.netscan.discovery.snmp.SnmpOutcome;
import dev.netscan.state.DeviceRegistry;

/** SNMP answers update the registry's identity fields and become device_info points. */
final class SnmpToRegistry implements SnmpListener {
    private static final System.Logger LOG = System.getLogger(NetscanService.class.getName());
    private final DeviceRegistry registry;
    private final MetricsSink sink;

    SnmpToRegistry(DeviceRegistry registry, MetricsSink sink) {
        this.registry = registry;
        this.sink = sink;
    }

    @Override
    public void onSuccess(int ipv4, SnmpInfo info, long timestampEpochNanos) {
        registry.updateSnmp(ipv4, info);
        sink.offerDeviceInfo(ipv4, info, timestampEpochNanos);
    }

    @Override
    public void onFailure(int ipv4, SnmpOutcome outcome, String detail) {
        LOG.log(System.Logger.Level.DEBUG, () -> "SNMP " + outcome + " from " + AddressBook.shared().text(ipv4));
    }
}
