/**
 * netscan's vocabulary, which every other module speaks.
 *
 * <ul>
 *   <li>Addresses and targets: {@link dev.netscan.core.Ipv4} (IPv4 as {@code int}),
 *       {@link dev.netscan.core.Ipv6} (strict parsing, RFC 5952 text), {@link dev.netscan.core.Cidr},
 *       {@link dev.netscan.core.Cidr6}, {@link dev.netscan.core.TargetSet} (ranges of both families
 *       minus exclusions as intervals; the IPv4 part is the allocation-free fast path) and
 *       {@link dev.netscan.core.AddressPermutation} / {@link dev.netscan.core.Ipv6Permutation}
 *       (every target once, in a seeded random-looking order, O(1) memory); the settings of
 *       on-link discovery, {@link dev.netscan.core.OnLinkSettings}.
 *   <li>What flows through the system: {@link dev.netscan.core.Device},
 *       {@link dev.netscan.core.PingResult}, {@link dev.netscan.core.PingStats},
 *       {@link dev.netscan.core.SnmpInfo}, {@link dev.netscan.core.HealthReport}.
 *   <li>Configuration: {@link dev.netscan.core.NetscanConfig} (immutable, validated all at once)
 *       and its {@link dev.netscan.core.Profile}s; one shape for every configuration problem of
 *       every module: {@link dev.netscan.core.ConfigProblems} collects, one
 *       {@link dev.netscan.core.InvalidConfigException} carries them, each keyed by its setting.
 *   <li>The port measurements leave through: {@link dev.netscan.core.MetricsSink}.
 *   <li>The health and thermal governor: {@link dev.netscan.core.governor}.
 * </ul>
 */
package dev.netscan.core;
