package org.m13.host;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * The real host. Commands run through {@link ProcessBuilder} with stdin from
 * /dev/null and a timeout; their stdout and stderr are drained by two daemon threads
 * so that neither pipe can fill and block the command. Sysctls are files under
 * /proc/sys of the calling thread's network namespace, read through an
 * {@link InputStream}: {@code Files.readAllBytes} trusts the size /proc reports and
 * returns one byte of some of them on this kernel.
 */
final class SystemShell implements HostShell {
    static final SystemShell INSTANCE = new SystemShell(10, TimeUnit.SECONDS);

    private static final Path PROC_SYS = Path.of("/proc/sys");
    private static final Pattern SYSCTL_KEY = Pattern.compile("[a-z0-9_]+(\\.[a-zA-Z0-9_\\-]+)+");
    private static final File DEV_NULL = new File("/dev/null");
    private static final ExecutorService READERS = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "m13-host-shell");
        thread.setDaemon(true);
        return thread;
    });

    private final long timeout;
    private final TimeUnit unit;

    SystemShell(long timeout, TimeUnit unit) {
        this.timeout = timeout;
        this.unit = unit;
    }

    @Override
    public Result run(List<String> argv) throws HostSetupException {
        String command = String.join(" ", argv);
        Process process;
        try {
            process = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(DEV_NULL)).start();
        } catch (IOException e) {
            throw new HostSetupException("cannot run `" + command + "`: " + e.getMessage(), e);
        }
        CompletableFuture<String> out = drain(process.getInputStream());
        CompletableFuture<String> err = drain(process.getErrorStream());
        try {
            if (!process.waitFor(timeout, unit)) {
                process.destroyForcibly();
                throw new HostSetupException("`" + command + "` did not finish within " + timeout + " "
                        + unit.toString().toLowerCase(java.util.Locale.ROOT));
            }
            return new Result(process.exitValue(), out.get(timeout, unit), err.get(timeout, unit));
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new HostSetupException("interrupted while running `" + command + "`", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new HostSetupException("cannot read the output of `" + command + "`", e);
        }
    }

    private static CompletableFuture<String> drain(InputStream stream) {
        return CompletableFuture.supplyAsync(() -> {
            try (InputStream in = stream) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, READERS);
    }

    @Override
    public Optional<String> readSysctl(String key) throws HostSetupException {
        Path file = path(key);
        try (InputStream in = Files.newInputStream(file)) {
            return Optional.of(new String(in.readAllBytes(), StandardCharsets.US_ASCII).strip());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new HostSetupException("cannot read sysctl " + key + " (" + file + "): " + reason(e), e);
        }
    }

    @Override
    public void writeSysctl(String key, String value) throws HostSetupException {
        Path file = path(key);
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write((value + "\n").getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new HostSetupException("cannot set sysctl " + key + " = " + value + " (" + file + "): "
                    + reason(e), e);
        }
    }

    private static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        return e.toString();
    }

    /** {@code net.ipv4.ip_forward} to /proc/sys/net/ipv4/ip_forward. */
    static Path path(String key) {
        if (!SYSCTL_KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("not a sysctl key: " + key);
        }
        return PROC_SYS.resolve(key.replace('.', '/'));
    }
}
