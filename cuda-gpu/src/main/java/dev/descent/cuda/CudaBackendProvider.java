package dev.descent.cuda;

import dev.descent.backend.Availability;
import dev.descent.backend.Backend;
import dev.descent.backend.BackendOptions;
import dev.descent.backend.BackendProvider;
import dev.descent.backend.BackendUnavailableException;

/** Provides {@link CudaBackend} under the name {@code cuda}, priority 100 (preferred over cpu under {@code auto}). */
public final class CudaBackendProvider implements BackendProvider {
    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public int priority() {
        return 100;
    }

    @Override
    public Availability availability() {
        return CudaAvailability.get();
    }

    @Override
    public Backend create(BackendOptions options) {
        Availability a = availability();
        if (!a.available()) {
            throw new BackendUnavailableException("backend 'cuda' is " + a);
        }
        return CudaBackend.open(options == null ? 0 : options.device());
    }
}
