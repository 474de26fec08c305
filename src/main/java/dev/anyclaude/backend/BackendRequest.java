package dev.anyclaude.backend;

import dev.anyclaude.messages.MessagesRequest;

/**
 * A request as a backend sees it: normalized, with the model resolved to a backend model name, plus the
 * affinity key that names its conversation stream (session + system/tools fingerprint), used to steer it
 * to the slot or replica that holds its prefix. {@code affinityKey} may be null.
 */
public record BackendRequest(MessagesRequest request, String affinityKey, String requestId) {}
