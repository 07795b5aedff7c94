// Placeholder until the telemetry registry lands: HTTP metrics are recorded here.
export function observeHttpRequest(_method: string, _route: string, _status: number, _seconds: number): void {}
