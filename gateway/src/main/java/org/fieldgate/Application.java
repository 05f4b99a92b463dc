package org.fieldgate;

import io.micronaut.context.env.Environment;
import io.micronaut.runtime.Micronaut;
import org.fieldgate.config.InvalidSettingException;
import org.fieldgate.site.InvalidSiteConfigException;

/** Starts the gateway; a bad setting or site file ends start-up with one line per problem on stderr and exit code 2. */
public class Application {
    public static final int EXIT_BAD_SETTING = 2;

    public static void main(String[] args) {
        new Micronaut() {
            @Override
            protected void handleStartupException(Environment environment, Throwable error) {
                for (Throwable t = error; t != null; t = t.getCause()) {
                    if (t instanceof InvalidSettingException || t instanceof InvalidSiteConfigException) {
                        System.err.println(t.getMessage());
                        System.exit(EXIT_BAD_SETTING);
                    }
                }
                super.handleStartupException(environment, error);
            }
        }.mainClass(Application.class).args(args).start();
    }
}
