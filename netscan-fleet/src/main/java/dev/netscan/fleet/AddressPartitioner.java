package dev.netscan.fleet;

/**
 * Which partition of the target space an address belongs to: a stable hash of the address
 * (MurmurHash3's 32-bit finaliser, which spreads neighbouring addresses evenly) modulo the number
 * of partitions. Stable means the same on every instance and every version: changing it moves
 * every device, so it is part of the fleet's wire contract. Allocation-free, thread-safe.
 */
final class AddressPartitioner {
    private AddressPartitioner() {}

    /** The partition of {@code ipv4} among {@code partitions} (which is at least 1). */
    static int partitionOf(int ipv4, int partitions) {
        int h = ipv4;
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return Math.floorMod(h, partitions);
    }
}
