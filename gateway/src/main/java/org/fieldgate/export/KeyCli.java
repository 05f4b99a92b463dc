package org.fieldgate.export;

import io.micronaut.context.ApplicationContext;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.fieldgate.config.InvalidSettingException;
import org.fieldgate.config.SettingsFactory;

/**
 * {@code fieldgate key show|init|rotate}: the gateway's export signing key in {@code fieldgate.export.key-dir} (same
 * settings as the gateway). Prints the public key and its fingerprint, never the private key. Exit codes as
 * {@link ExportCli}: 0 done, 1 failed (a key file refused, naming it), 2 bad setting, 64 usage.
 */
public final class KeyCli {
    private static final String USAGE_TEXT = String.join("\n",
            "usage: key show     the public key (PEM) and its fingerprint: SHA-256 of the DER SubjectPublicKeyInfo,",
            "                    as `openssl pkey -pubin -in gateway.pub.pem -outform DER | sha256sum` prints it",
            "       key init     makes the key pair when the key directory has none (the gateway does at first start)",
            "       key rotate   makes a new key; the next window is signed by the old one and announces the new one",
            "Key directory: fieldgate.export.key-dir. Exit: 0 ok, 1 failed, 2 bad setting, 64 bad usage.");

    private KeyCli() {
    }

    public static void main(String[] args) {
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        System.exit(run(args, out, System.err));
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 1 && List.of("help", "--help", "-h").contains(args[0])) {
            out.println(USAGE_TEXT);
            return ExportCli.OK;
        }
        if (args.length != 1 || !List.of("show", "init", "rotate").contains(args[0])) {
            err.println(USAGE_TEXT);
            return ExportCli.USAGE;
        }
        Path dir;
        try (ApplicationContext context = ApplicationContext.builder().deduceEnvironment(false).build()) {
            context.getEnvironment().start();
            dir = SettingsFactory.read(context.getEnvironment()).export().keyDir();
        } catch (InvalidSettingException e) {
            err.println(e.getMessage());
            return ExportCli.BAD_SETTING;
        }
        try {
            switch (args[0]) {
                case "show" -> {
                    if (!Files.exists(dir.resolve(GatewayKeys.PRIVATE)) && !Files.exists(dir.resolve(GatewayKeys.PUBLIC))) {
                        err.println("no gateway key in " + dir + " yet: the gateway makes it at its first start, or run"
                                + " `fieldgate key init`");
                        return ExportCli.FAILED;
                    }
                    show(GatewayKeys.open(dir), out);
                }
                case "init" -> show(GatewayKeys.openOrCreate(dir), out);
                default -> {
                    GatewayKeys before = GatewayKeys.open(dir);
                    GatewayKeys after = before.rotate();
                    show(after, out);
                    out.println("previous " + before.current().fingerprint() + " signs the next export window, which"
                            + " announces the new key");
                }
            }
        } catch (IOException e) {
            err.println("key " + args[0] + ": " + e.getMessage());
            return ExportCli.FAILED;
        }
        return ExportCli.OK;
    }

    private static void show(GatewayKeys keys, PrintStream out) {
        out.print(GatewayKeys.publicPem(keys.current().publicKey()));
        out.println("fingerprint " + keys.current().fingerprint() + " (SHA-256 of the DER SubjectPublicKeyInfo)");
        out.println("file " + keys.dir().resolve(GatewayKeys.PUBLIC));
    }
}
