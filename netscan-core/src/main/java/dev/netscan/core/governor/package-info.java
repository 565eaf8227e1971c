/**
 * The health and thermal governor: it samples the host ({@link dev.netscan.core.governor.HostProbe},
 * real implementation {@link dev.netscan.core.governor.OshiHostProbe}), counts the error rates the
 * ICMP engine and the writer feed it ({@link dev.netscan.core.governor.ErrorRate}), raises and clears
 * alerts with hysteresis ({@link dev.netscan.core.governor.Alert}), and publishes the
 * {@link dev.netscan.core.governor.Throttle} that busy loops read without locking.
 *
 * <p>Front door: {@link dev.netscan.core.governor.Governor}. Configuration:
 * {@link dev.netscan.core.governor.GovernorSettings} and {@link dev.netscan.core.governor.Knobs}.
 * {@link dev.netscan.core.governor.FakeHostProbe} is the fake of the host port for tests and for
 * embedders that want to drive the governor themselves.
 */
package dev.netscan.core.governor;
