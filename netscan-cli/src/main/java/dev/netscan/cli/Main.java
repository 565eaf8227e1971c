package dev.netscan.cli;

import java.io.PrintWriter;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code netscan}: the command-line entry point. Exit codes: 0 done, 2 bad usage or input (the
 * message names the bad value), 3 no permission for ICMP (the message says how to grant it),
 * 1 anything else.
 */
@Command(name = "netscan", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Discovers, pings, identifies (SNMP) and records the devices on IPv4 networks.",
        subcommands = {ScanCommand.class, MonitorCommand.class, BenchCommand.class, HealthCommand.class,
            AutoComplete.GenerateCompletion.class})
public final class Main implements Runnable {
    public static final int EXIT_OK = 0;
    public static final int EXIT_ERROR = 1;
    public static final int EXIT_USAGE = 2;
    public static final int EXIT_NO_ICMP = 3;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (no {@code System.exit}). */
    public static int run(String... args) {
        CommandLine cl = commandLine();
        return cl.execute(args);
    }

    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExitCodeExceptionMapper(Main::exitCode);
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            PrintWriter err = cmd.getErr();
            err.println("netscan: " + message(e));
            err.flush();
            return exitCode(e);
        });
        cl.setParameterExceptionHandler((e, args) -> {
            PrintWriter err = e.getCommandLine().getErr();
            err.println("netscan: " + e.getMessage());
            err.println("Try 'netscan " + e.getCommandLine().getCommandName().replace("netscan", "").strip()
                    + (e.getCommandLine().getCommandName().equals("netscan") ? "" : " ") + "--help' for usage.");
            err.flush();
            return EXIT_USAGE;
        });
        cl.getSubcommands().get("generate-completion").getCommandSpec().usageMessage().hidden(false);
        return cl;
    }

    static int exitCode(Throwable e) {
        Throwable t = e;
        while (t != null) {
            if (t instanceof dev.netscan.discovery.IcmpUnavailableException) {
                return EXIT_NO_ICMP;
            }
            if (t instanceof UsageException || t instanceof dev.netscan.core.InvalidConfigException
                    || t instanceof dev.netscan.core.InvalidTargetException) {
                return EXIT_USAGE;
            }
            t = t.getCause();
        }
        return EXIT_ERROR;
    }

    private static String message(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && (t.getMessage() == null || t instanceof CommandLine.ExecutionException)) {
            t = t.getCause();
        }
        return t.getMessage() != null ? t.getMessage() : t.toString();
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required: scan, monitor, bench or health");
    }

    /** Bad input from the user: exit code 2. */
    static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    /** {@code --version}: from the jar manifest, else the build's version. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"netscan " + dev.netscan.service.NetscanService.version(),
                "Java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")"};
        }
    }
}
