/** The device registry: the single source of truth for known devices ({@link dev.netscan.state.DeviceRegistry}). */
module dev.netscan.state {
    requires transitive dev.netscan.core;
    // fastutil's IntList / IntArrayList appear in the registry's API (prune, addresses)
    requires transitive it.unimi.dsi.fastutil.core; // automatic module (fastutil-core ships no descriptor)

    exports dev.netscan.state;
}
