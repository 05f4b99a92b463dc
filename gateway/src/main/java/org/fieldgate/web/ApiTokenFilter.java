package org.fieldgate.web;

import io.micronaut.context.BeanContext;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpMethod;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Filter;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.inject.qualifiers.Qualifiers;
import io.micronaut.management.endpoint.annotation.Endpoint;
import org.fieldgate.config.GatewaySettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Reads are open; anything that changes the gateway (every method but GET, HEAD and OPTIONS, on every path,
 * management endpoints included) needs {@code Authorization: Bearer <token>} with the token from
 * fieldgate.http.token-file. Without a configured token such requests are refused outright.
 * The management endpoints other than /health and /prometheus (/beans, /threaddump, /routes, /metrics, /info,
 * /env, /loggers, ...) show the gateway's insides, so reading them needs the token too.
 */
@ServerFilter(Filter.MATCH_ALL_PATTERN)
public class ApiTokenFilter {
    private static final Logger LOG = LoggerFactory.getLogger(ApiTokenFilter.class);
    static final String NO_TOKEN = "state-changing requests and the management endpoints other than /health and "
            + "/prometheus are disabled: no API token is configured; write a token "
            + "to a file only the gateway's user can read (chmod 600) and set fieldgate.http.token-file to its path";
    private static final String BEARER = "Bearer ";

    /** SHA-256 of the token: comparing digests takes the same time whatever the token's length or content. */
    private final byte[] tokenDigest;
    /** Ids of the management endpoints that need the token even to read (every endpoint but the open ones). */
    private final Set<String> guardedEndpoints;
    /** A monitor or load balancer polls these without a secret; they show counts, no configuration. */
    static final Set<String> OPEN_ENDPOINTS = Set.of("health", "prometheus");

    public ApiTokenFilter(GatewaySettings settings, BeanContext beans) {
        String token = settings.http().token();
        this.tokenDigest = token == null ? null : sha256(token);
        this.guardedEndpoints = beans.getBeanDefinitions(Qualifiers.byStereotype(Endpoint.class)).stream()
                .map(definition -> definition.stringValue(Endpoint.class, "id")
                        .or(() -> definition.stringValue(Endpoint.class)).orElse(""))
                .filter(id -> !id.isEmpty() && !OPEN_ENDPOINTS.contains(id))
                .collect(Collectors.toUnmodifiableSet());
    }

    private boolean isGuardedEndpoint(String path) {
        int end = path.indexOf('/', 1);
        return guardedEndpoints.contains(end < 0 ? path.substring(1) : path.substring(1, end));
    }

    @RequestFilter
    @Nullable
    public HttpResponse<?> requireToken(HttpRequest<?> request) {
        HttpMethod method = request.getMethod();
        boolean read = method == HttpMethod.GET || method == HttpMethod.HEAD || method == HttpMethod.OPTIONS;
        if (read && !isGuardedEndpoint(request.getPath())) {
            return null;
        }
        String what = method + " " + request.getPath() + " from " + request.getRemoteAddress().getAddress().getHostAddress();
        if (tokenDigest == null) {
            LOG.warn("refused {}: no API token configured (fieldgate.http.token-file)", what);
            return HttpResponse.status(HttpStatus.FORBIDDEN).body(Map.of("message", NO_TOKEN));
        }
        String authorization = request.getHeaders().get(HttpHeaders.AUTHORIZATION);
        boolean bearer = authorization != null && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length());
        if (!bearer || !MessageDigest.isEqual(tokenDigest, sha256(authorization.substring(BEARER.length()).trim()))) {
            LOG.warn("refused {}: {}", what, bearer ? "wrong API token" : "no 'Authorization: Bearer' header");
            return HttpResponse.status(HttpStatus.UNAUTHORIZED)
                    .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"fieldgate\"")
                    .body(Map.of("message", method + " needs 'Authorization: Bearer <token>' with the token in "
                            + "fieldgate.http.token-file"));
        }
        return null;
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
