// HAND-WRITTEN, not generated: recovers the dynamic loader's error text, which SymbolLookup.libraryLookup drops.
package dev.descent.cuda.bindings;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * {@code dlopen}/{@code dlerror} from the C library, used only after {@link SymbolLookup#libraryLookup} failed, to
 * tell why ("cannot open shared object file: No such file or directory", "wrong ELF class", "undefined symbol ...").
 */
@SuppressWarnings("restricted") // FFM: loading libraries, downcalls, sizing native pointers
final class Dl {
    private static final int RTLD_NOW = 2;

    private static final MethodHandle DLOPEN;
    private static final MethodHandle DLERROR;
    private static final MethodHandle DLCLOSE;

    static {
        Linker linker = Linker.nativeLinker();
        SymbolLookup libc = linker.defaultLookup();
        Optional<MemorySegment> open = libc.find("dlopen");
        Optional<MemorySegment> error = libc.find("dlerror");
        Optional<MemorySegment> close = libc.find("dlclose");
        if (open.isPresent() && error.isPresent() && close.isPresent()) {
            DLOPEN = linker.downcallHandle(open.get(), FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT));
            DLERROR = linker.downcallHandle(error.get(),
                    FunctionDescriptor.of(ADDRESS.withTargetLayout(MemoryLayout.sequenceLayout(Long.MAX_VALUE,
                            JAVA_BYTE))));
            DLCLOSE = linker.downcallHandle(close.get(), FunctionDescriptor.of(JAVA_INT, ADDRESS));
        } else {
            DLOPEN = null;
            DLERROR = null;
            DLCLOSE = null;
        }
    }

    private Dl() {
    }

    /**
     * The loader's reason why {@code nameOrPath} does not load, falling back to the Java exception's message when
     * dlopen is not reachable (or, oddly, succeeds now).
     */
    static String explain(String nameOrPath, RuntimeException javaError) {
        String fallback = javaError.getMessage() == null ? javaError.toString() : javaError.getMessage();
        if (DLOPEN == null) {
            return fallback;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment handle = (MemorySegment) DLOPEN.invokeExact(arena.allocateFrom(nameOrPath), RTLD_NOW);
            if (!handle.equals(MemorySegment.NULL)) {
                int ignored = (int) DLCLOSE.invokeExact(handle);
                return fallback;
            }
            MemorySegment message = (MemorySegment) DLERROR.invokeExact();
            return message.equals(MemorySegment.NULL) ? fallback : message.getString(0);
        } catch (Throwable t) {
            return fallback;
        }
    }
}
