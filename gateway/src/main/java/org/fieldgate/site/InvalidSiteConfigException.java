package org.fieldgate.site;

import java.util.List;

/** Start-up refused: the site configuration (or a sensor model it uses) is invalid; one error per message line. */
public final class InvalidSiteConfigException extends RuntimeException {
    private final transient List<ConfigError> errors;

    public InvalidSiteConfigException(List<ConfigError> errors) {
        super(String.join(System.lineSeparator(), errors.stream().map(ConfigError::toString).toList()));
        this.errors = List.copyOf(errors);
    }

    public List<ConfigError> errors() {
        return errors;
    }
}
