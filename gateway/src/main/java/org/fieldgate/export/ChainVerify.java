package org.fieldgate.export;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code export verify DIR... --key gateway.pub.pem}: checks export windows as a chain, oldest first: every file
 * against its manifest, each manifest's signature ({@link Manifest#SIG}) by the trusted key (the one given for the
 * first window; after a window that announces a new key, that key), and each manifest naming the previous window's
 * manifest SHA-256 (the first names none). Every problem names the window and the file or link.
 */
public final class ChainVerify {
    /** What verify found: one line per window that checked out, and the problems. */
    public record Result(List<String> windows, List<String> problems) {
        public boolean ok() {
            return problems.isEmpty();
        }
    }

    private record Window(Path dir, Manifest manifest, String manifestSha256) {
    }

    private ChainVerify() {
    }

    /** Export folders in {@code dirs}: each a window folder, or a folder (an outbox) holding window folders. */
    static List<Path> windowFolders(List<Path> dirs) {
        List<Path> out = new ArrayList<>();
        for (Path d : dirs) {
            if (Files.isRegularFile(d.resolve(Manifest.FILE))) {
                out.add(d);
            } else {
                out.addAll(Exporter.exported(d));
            }
        }
        return out;
    }

    /** Verifies the windows in {@code dirs} against the trusted key of the first; {@code keySource} names it. */
    public static Result verify(List<Path> dirs, PublicKey key, String keySource) {
        List<String> problems = new ArrayList<>();
        List<String> summaries = new ArrayList<>();
        List<Window> windows = new ArrayList<>();
        Map<String, Path> seen = new LinkedHashMap<>();
        for (Path dir : windowFolders(dirs)) {
            String name = dir.getFileName().toString();
            try {
                Manifest m = Manifest.read(dir);
                if (seen.containsKey(m.windowId())) {
                    problems.add("window " + m.windowId() + ": appears twice, in " + seen.get(m.windowId()) + " and "
                            + dir + " (an old export of it re-inserted?)");
                    continue;
                }
                seen.put(m.windowId(), dir);
                if (!name.equals(m.windowId())) {
                    problems.add("window " + m.windowId() + ": lies in folder " + name + " (moved, renamed or swapped)");
                }
                windows.add(new Window(dir, m, Manifest.fileSha256(dir)));
            } catch (IOException e) {
                problems.add("window " + name + ": " + Manifest.FILE + ": cannot be read (" + e.getMessage() + ")");
            }
        }
        if (windows.isEmpty() && problems.isEmpty()) {
            problems.add("no export window (a folder with " + Manifest.FILE + ") in " + dirs);
        }
        windows.sort(Comparator.comparing(w -> w.manifest().windowId()));
        PublicKey trusted = key;
        String trustedFrom = "the key given (" + keySource + ")";
        Window previous = null;
        for (Window w : windows) {
            String id = w.manifest().windowId();
            int before = problems.size();
            for (String p : Manifest.verify(w.dir())) {
                problems.add("window " + id + ": " + p);
            }
            String trustedFp = GatewayKeys.fingerprint(trusted);
            checkSignature(w, trusted, trustedFp, trustedFrom, previous == null, problems);
            checkLink(w, previous, windows, problems);
            String announced = w.manifest().nextKeySha256();
            if (announced != null && problems.size() == before) {
                try {
                    PublicKey next = GatewayKeys.publicFromPem(w.manifest().nextPublicKey(), "window " + id + ": "
                            + Manifest.FILE + " next_public_key");
                    if (!GatewayKeys.fingerprint(next).equals(announced)) {
                        problems.add("window " + id + ": " + Manifest.FILE + ": next_public_key has fingerprint "
                                + GatewayKeys.fingerprint(next) + ", next_key_sha256 says " + announced);
                    } else {
                        trusted = next;
                        trustedFrom = "the key window " + id + " announced";
                    }
                } catch (IOException e) {
                    problems.add(e.getMessage());
                }
            }
            if (problems.size() == before) {
                summaries.add(id + ": ok, " + w.manifest().rowCounts().values().stream().mapToLong(Long::longValue).sum()
                        + " rows, signed by key " + trustedFp + ", "
                        + (previous == null ? "first of the chain" : "after " + previous.manifest().windowId())
                        + (announced == null ? "" : ", announces key " + announced));
            }
            previous = w;
        }
        return new Result(summaries, problems);
    }

    /** {@code trustedFrom}: whence the trusted key came; {@code first}: the chain's first window. */
    private static void checkSignature(Window w, PublicKey trusted, String trustedFp, String trustedFrom,
                                       boolean first, List<String> problems) {
        String id = w.manifest().windowId();
        Path sig = w.dir().resolve(Manifest.SIG);
        if (!Files.isRegularFile(sig)) {
            problems.add("window " + id + ": " + Manifest.SIG + ": missing (unsigned)");
            return;
        }
        String signer = w.manifest().keySha256();
        if (signer != null && !signer.equals(trustedFp)) {
            problems.add("window " + id + ": " + Manifest.SIG + ": signed by key " + signer + (first
                    ? ", not by " + trustedFrom + ", key " + trustedFp + " (wrong key, or earlier windows missing)"
                    : ", which no earlier window announced (expected key " + trustedFp + ", " + trustedFrom + ")"));
            return;
        }
        try {
            byte[] signature = Files.readAllBytes(sig);
            if (signature.length != 64 || !GatewayKeys.verify(trusted, Files.readAllBytes(w.dir().resolve(Manifest.FILE)),
                    signature)) {
                problems.add("window " + id + ": " + Manifest.SIG + ": does not verify " + Manifest.FILE + " with key "
                        + trustedFp + " (" + (signature.length != 64 ? signature.length + " bytes, not 64"
                        : Manifest.FILE + " or the signature changed after signing") + ")");
            }
        } catch (IOException e) {
            problems.add("window " + id + ": " + Manifest.SIG + ": cannot be read (" + e.getMessage() + ")");
        }
    }

    private static void checkLink(Window w, Window previous, List<Window> all, List<String> problems) {
        String id = w.manifest().windowId();
        String named = w.manifest().previousWindow();
        String namedSha = w.manifest().previousManifestSha256();
        if (previous == null) {
            if (named != null) {
                problems.add("window " + id + ": names previous window " + named + " (manifest SHA-256 " + namedSha
                        + "), which is missing");
            }
            return;
        }
        String previousId = previous.manifest().windowId();
        if (named == null) {
            problems.add("window " + id + ": names no previous window, but window " + previousId + " comes before it"
                    + " (a chain started again, or a window re-inserted before it)");
        } else if (all.stream().anyMatch(o -> o.manifest().windowId().equals(named) && o.manifest().windowId()
                .compareTo(id) > 0)) {
            problems.add("window " + id + ": names previous window " + named + ", which comes after it (reordered)");
        } else if (!named.equals(previousId)) {
            problems.add("window " + id + ": names previous window " + named + ", which is missing (window " + previousId
                    + " comes before it here)");
        } else if (!previous.manifestSha256().equals(namedSha)) {
            problems.add("window " + id + ": names previous window " + named + " with manifest SHA-256 " + namedSha
                    + ", but " + named + "/" + Manifest.FILE + " has " + previous.manifestSha256()
                    + " (replaced, or an older export of it re-inserted)");
        }
    }
}
