package dev.anyclaude.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anyclaude.messages.StatsSection;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code GET /cache/stats} and {@code DELETE /cache}: every cache's figures in one JSON document. */
final class CacheStatsEndpoint {
    private final ObjectMapper mapper;
    private final List<StatsSection> sections;

    CacheStatsEndpoint(ObjectMapper mapper, List<StatsSection> sections) {
        this.mapper = mapper;
        this.sections = List.copyOf(sections);
    }

    void stats(Context ctx) throws IOException {
        Map<String, Object> doc = StatsSection.document(sections);
        ctx.status(200)
                .contentType("application/json")
                .result(mapper.writerWithDefaultPrettyPrinter().writeValueAsBytes(doc));
    }

    void clear(Context ctx) throws IOException {
        Map<String, Object> doc = new LinkedHashMap<>();
        for (StatsSection s : sections) {
            Object removed = s.clear();
            if (removed != null) {
                doc.put(s.name(), removed);
            }
        }
        ctx.status(200).contentType("application/json").result(mapper.writeValueAsBytes(Map.of("cleared", doc)));
    }
}
