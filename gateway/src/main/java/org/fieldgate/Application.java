package org.fieldgate;

import io.micronaut.context.env.Environment;
import io.micronaut.runtime.Micronaut;
import org.fieldgate.config.InvalidSettingException;
import org.fieldgate.site.InvalidSiteConfigException;
import org.fieldgate.store.SpoolAccess;

/**
 * Starts the gateway; a bad setting or site file ends start-up with one line per problem on stderr and exit code 2,
 * a spool this user may not write with one line naming the file, its owner and the fix, and exit code 73.
 */
public class Application {
    public static final int EXIT_BAD_SETTING = 2;
    /** sysexits' EX_CANTCREAT */
    public static final int EXIT_SPOOL_NOT_WRITABLE = 73;

    public static void main(String[] args) {
        new Micronaut() {
            @Override
            protected void handleStartupException(Environment environment, Throwable error) {
                for (Throwable t = error; t != null; t = t.getCause()) {
                    if (t instanceof InvalidSettingException || t instanceof InvalidSiteConfigException) {
                        System.err.println(t.getMessage());
                        System.exit(EXIT_BAD_SETTING);
                    }
                    if (t instanceof SpoolAccess.NotWritableException) {
                        System.err.println(t.getMessage());
                        System.exit(EXIT_SPOOL_NOT_WRITABLE);
                    }
                }
                super.handleStartupException(environment, error);
            }
        }.mainClass(Application.class).args(args).start();
    }
}
