/**
 * A local stand-in for an OpenTelemetry collector's OTLP/HTTP traces receiver: a `node:http` server on 127.0.0.1
 * (random port) that accepts `POST /v1/traces` and keeps every body. OTLP/JSON bodies (`http/json`) are decoded into
 * spans; protobuf bodies (`http/protobuf`, the exporters' default) are kept raw, with their content type.
 */
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

export type OtlpSpan = {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: Record<string, string | number | boolean>;
  status?: { code?: number; message?: string };
  service?: string;
};

export type OtlpRequest = { url: string; headers: IncomingHttpHeaders; body: Buffer };

export type OtlpReceiver = {
  /** The value for OTEL_EXPORTER_OTLP_ENDPOINT (the exporter appends `/v1/traces`). */
  url: string;
  requests: OtlpRequest[];
  /** Every span of every OTLP/JSON request so far. */
  spans(): OtlpSpan[];
  stop(): Promise<void>;
};

type AnyValue = { stringValue?: string; intValue?: string | number; boolValue?: boolean; doubleValue?: number };
type KeyValue = { key: string; value: AnyValue };

const valueOf = (v: AnyValue): string | number | boolean =>
  v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : (v.boolValue ?? v.doubleValue ?? ""));

const attributesOf = (kvs: KeyValue[] | undefined) => Object.fromEntries((kvs ?? []).map((kv) => [kv.key, valueOf(kv.value)]));

function decodeJson(body: Buffer): OtlpSpan[] {
  const doc = JSON.parse(body.toString("utf8")) as {
    resourceSpans?: { resource?: { attributes?: KeyValue[] }; scopeSpans?: { spans?: (Omit<OtlpSpan, "attributes"> & { attributes?: KeyValue[] })[] }[] }[];
  };
  const out: OtlpSpan[] = [];
  for (const rs of doc.resourceSpans ?? []) {
    const service = attributesOf(rs.resource?.attributes)["service.name"] as string | undefined;
    for (const ss of rs.scopeSpans ?? [])
      for (const s of ss.spans ?? []) out.push({ ...s, parentSpanId: s.parentSpanId || undefined, attributes: attributesOf(s.attributes), service });
  }
  return out;
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const requests: OtlpRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (req.method !== "POST" || req.url !== "/v1/traces") {
        res.writeHead(404).end();
        return;
      }
      requests.push({ url: req.url, headers: req.headers, body: Buffer.concat(chunks) });
      const json = String(req.headers["content-type"] ?? "").includes("json");
      res.writeHead(200, { "content-type": json ? "application/json" : "application/x-protobuf" }).end(json ? "{}" : undefined);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    spans: () => requests.filter((r) => String(r.headers["content-type"]).includes("json")).flatMap((r) => decodeJson(r.body)),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
