/** One PromQL expression of a monitoring file, and where it stands (for messages). */
export interface Query {
  /** e.g. `alerts.yml: alert SpearNodeDown`, `grafana-dashboard.json: panel "Connections per node" (A)`. */
  where: string;
  expr: string;
}

/** Thrown for a monitoring file that is not what Prometheus or Grafana would accept; the message names the file and the place. */
export class MonitoringFileError extends Error {}
