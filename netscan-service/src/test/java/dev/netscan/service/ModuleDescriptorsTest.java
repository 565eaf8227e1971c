package dev.netscan.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.lang.module.Configuration;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ResolvedModule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The library modules' descriptors, as built: they resolve together with the real dependency
 * jars (automatic names included), and each exports only its front door. Tests run on the class
 * path (see the parent pom), so this is where the module graph itself is checked.
 */
class ModuleDescriptorsTest {

    /** The exported packages of every library module: the front doors, and nothing else. */
    private static final Map<String, Set<String>> FRONT_DOORS = Map.of(
            "dev.netscan.core", Set.of("dev.netscan.core", "dev.netscan.core.governor"),
            "dev.netscan.state", Set.of("dev.netscan.state"),
            "dev.netscan.discovery", Set.of("dev.netscan.discovery", "dev.netscan.discovery.monitor",
                    "dev.netscan.discovery.snmp"),
            "dev.netscan.influx", Set.of("dev.netscan.influx"),
            "dev.netscan.service", Set.of("dev.netscan.service"));

    private static Configuration resolveService() {
        Path[] entries = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .map(Path::of)
                .filter(Files::exists)
                .filter(p -> !p.endsWith("test-classes"))
                .toArray(Path[]::new);
        // the JDK first, then the test class path's jars and classes directories as a module path
        return Configuration.empty().resolve(ModuleFinder.ofSystem(), ModuleFinder.of(entries), Set.of("dev.netscan.service"));
    }

    @Test
    void theLibraryModulesResolveWithTheirDependencies() {
        Map<String, ModuleDescriptor> resolved = new TreeMap<>();
        for (ResolvedModule m : resolveService().modules()) {
            resolved.put(m.name(), m.reference().descriptor());
        }
        assertThat(resolved).containsKeys("dev.netscan.core", "dev.netscan.state", "dev.netscan.discovery",
                "dev.netscan.influx", "dev.netscan.service", "it.unimi.dsi.fastutil.core", "com.github.oshi",
                "org.jctools.core", "org.snmp4j");
        for (String ours : FRONT_DOORS.keySet()) {
            assertThat(resolved.get(ours).isAutomatic()).as(ours + " has a module-info").isFalse();
        }
    }

    @Test
    void eachExportsOnlyItsFrontDoorAndNoneQualified() {
        Map<String, ModuleDescriptor> resolved = resolveService().modules().stream()
                .collect(Collectors.toMap(ResolvedModule::name, m -> m.reference().descriptor()));
        FRONT_DOORS.forEach((module, packages) -> {
            ModuleDescriptor d = resolved.get(module);
            assertThat(d.exports()).as(module).allSatisfy(e -> assertThat(e.isQualified()).isFalse());
            assertThat(d.exports()).extracting(ModuleDescriptor.Exports::source).as(module)
                    .containsExactlyInAnyOrderElementsOf(packages);
            assertThat(d.opens()).as(module + " opens nothing").isEmpty();
        });
        assertThat(resolved.get("dev.netscan.discovery").packages()).as("the internals exist, unexported")
                .contains("dev.netscan.discovery.icmp");
    }
}
