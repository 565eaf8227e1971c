package dev.netscan.cli;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/** Whether a standard stream is a terminal ({@code isatty(3)} through FFM). */
final class Terminal {
    private Terminal() {}

    private static final MethodHandle ISATTY;

    static {
        MethodHandle h = null;
        try {
            Linker linker = Linker.nativeLinker();
            h = linker.defaultLookup().find("isatty").map(a -> linker.downcallHandle(a,
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT))).orElse(null);
        } catch (RuntimeException | LinkageError e) {
            h = null;
        }
        ISATTY = h;
    }

    /** True when file descriptor 2 (stderr) is a terminal. */
    static boolean stderrIsTerminal() {
        if (ISATTY == null) {
            return false;
        }
        try {
            return (int) ISATTY.invokeExact(2) == 1;
        } catch (Throwable t) {
            return false;
        }
    }
}
