package org.fieldgate.web;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Header;
import io.micronaut.core.annotation.Nullable;

/**
 * {@code GET /prometheus}: the meters in the Prometheus text format 0.0.4, or in OpenMetrics 1.0.0 when the scraper's
 * {@code Accept} header asks for {@code application/openmetrics-text} (Prometheus does by default). Micronaut's own
 * prometheus endpoint answers only the text format, and answers an OpenMetrics Accept header with 406, so it is
 * switched off ({@code endpoints.prometheus.enabled: false}) in favour of this one.
 */
@Controller("/prometheus")
public class PrometheusController {
    static final String TEXT = "text/plain; version=0.0.4; charset=utf-8";
    static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    private final PrometheusMeterRegistry registry;

    public PrometheusController(PrometheusMeterRegistry registry) {
        this.registry = registry;
    }

    @Get(produces = {TEXT, OPENMETRICS, "*/*"})
    public HttpResponse<String> scrape(@Nullable @Header(HttpHeaders.ACCEPT) String accept) {
        String type = accept != null && accept.contains("application/openmetrics-text") ? OPENMETRICS : TEXT;
        return HttpResponse.ok(registry.scrape(type)).header(HttpHeaders.CONTENT_TYPE, type);
    }
}
