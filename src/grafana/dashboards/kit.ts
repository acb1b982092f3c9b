/**
 * The small vocabulary every platform dashboard is written in, on top of the Grafana Foundation SDK:
 * the standard variables (cluster, namespace, tenant), Mimir selectors, and a board builder that
 * numbers panels, lays them out in rows, and gives every panel a title, a unit, a runbook link and
 * the environment's datasource. Dashboards are typed code; nothing here is hand-written JSON.
 */
import {
  DashboardBuilder,
  DashboardCursorSync,
  DashboardLinkBuilder,
  QueryVariableBuilder,
  RowBuilder,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  VariableRefresh,
  VariableSort,
  type Dashboard,
} from "@grafana/grafana-foundation-sdk/dashboard";
import { DataqueryBuilder, PromQueryFormat } from "@grafana/grafana-foundation-sdk/prometheus";
import { PanelBuilder as StatPanelBuilder } from "@grafana/grafana-foundation-sdk/stat";
import { PanelBuilder as TimeseriesPanelBuilder } from "@grafana/grafana-foundation-sdk/timeseries";
import { PanelBuilder as TablePanelBuilder } from "@grafana/grafana-foundation-sdk/table";
import {
  BigValueColorMode,
  GraphThresholdsStyleMode,
  LegendDisplayMode,
  LegendPlacement,
  ReduceDataOptionsBuilder,
  SortOrder,
  StackingConfigBuilder,
  StackingMode,
  TooltipDisplayMode,
  VizLegendOptionsBuilder,
  VizTooltipOptionsBuilder,
  GraphThresholdsStyleConfigBuilder,
} from "@grafana/grafana-foundation-sdk/common";
import type { CacheName } from "../../config/schema.js";
import { mimirJob } from "../../rules/recording-rules.js";

/** Audiences, one Grafana folder each. */
export const FOLDERS = ["Platform", "Tenants"] as const;
export type Folder = (typeof FOLDERS)[number];

/** What a dashboard needs to know about its environment. */
export interface DashboardEnv {
  /** UID of the Prometheus datasource of the platform tenant (the platform's own metrics). */
  readonly datasourceUid: string;
  readonly runbookBaseUrl: string;
  /** Hit-ratio objective per enabled cache. */
  readonly cacheObjectives: Partial<Readonly<Record<CacheName, number>>>;
  /** Whether the write path (and ruler/Alertmanager) run here (false in read-only DR). */
  readonly writePath: boolean;
}

export type Variable = "cluster" | "namespace" | "tenant";

/** Runbook pages that are not named after an alert. */
export const RUNBOOK_PAGES = ["alertmanager-notifications", "grafana", "tenant-usage"] as const;

/** A built dashboard with the folder it belongs in. */
export interface BuiltDashboard {
  readonly folder: Folder;
  /** File name in the folder's ConfigMap. */
  readonly file: string;
  readonly dashboard: Dashboard;
}

/** Selector of the standard variables, e.g. `cluster=~"$cluster", namespace=~"$namespace"`. */
export const SCOPE = 'cluster=~"$cluster", namespace=~"$namespace"';

/**
 * `job` matcher of Mimir components: the microservice's job (`<namespace>/<component>`, zone
 * suffixes included) or the single `mimir` process of the local environment. The same matcher
 * the rules use, so dashboards and alerts select the same series.
 */
export const job = mimirJob;

/** Full selector: scope plus extra matchers. */
export function sel(...matchers: readonly string[]): string {
  return `{${[SCOPE, ...matchers].join(", ")}}`;
}

/** Mimir's write routes and read routes in `cortex_request_duration_seconds`. */
export const WRITE_ROUTES = 'route=~"api_(v1|prom)_push|otlp_v1_metrics"';
export const READ_ROUTES = 'route=~"(prometheus|api_prom)_api_v1_.+"';

export interface Query {
  readonly expr: string;
  /** Series name template; @default none */
  readonly legend?: string;
  /** Instant query (stat/table panels). @default false */
  readonly instant?: boolean;
}

export interface PanelSpec {
  readonly title: string;
  readonly description: string;
  /** Grafana unit id: `reqps`, `s`, `percentunit`, `short`, `bytes`, … */
  readonly unit: string;
  readonly queries: readonly Query[];
  /**
   * The runbook for when this panel looks wrong, linked as `<runbookBaseUrl>/<runbook>`: the name of the
   * alert watching the same signal (alerts link `<runbookBaseUrl>/<alert name>` too, so both land on
   * the same page), or one of RUNBOOK_PAGES for signals no alert watches.
   */
  readonly runbook: string;
  /** Grid columns (of 24). @default 12 */
  readonly width?: number;
  /** @default 8 */
  readonly height?: number;
  readonly min?: number;
  readonly max?: number;
  /** A dashed objective line (timeseries) or a red/green split (stat): green at or above `value`. */
  readonly objective?: { readonly value: number; readonly below: "bad" | "good" };
  readonly stack?: boolean;
}

const REF_IDS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/** Builds one dashboard: variables, rows, panels with stable ids. */
export class Board {
  private readonly builder: DashboardBuilder;
  private nextId = 1;

  constructor(
    private readonly env: DashboardEnv,
    readonly spec: {
      readonly uid: string;
      readonly title: string;
      readonly description: string;
      readonly folder: Folder;
      readonly tags: readonly string[];
      readonly variables: readonly Variable[];
    },
  ) {
    const ds = this.datasource();
    this.builder = new DashboardBuilder(spec.title)
      .uid(spec.uid)
      .description(spec.description)
      .tags(["observability-platform", ...spec.tags])
      .readonly()
      .tooltip(DashboardCursorSync.Crosshair)
      .refresh("1m")
      .time({ from: "now-6h", to: "now" })
      .timezone("utc")
      .link(new DashboardLinkBuilder("Runbooks").url(env.runbookBaseUrl).targetBlank(true).icon("doc"));
    for (const name of spec.variables) this.builder.withVariable(variable(name, ds));
  }

  private datasource() {
    return { type: "prometheus", uid: this.env.datasourceUid };
  }

  private runbookLink(path: string) {
    return new DashboardLinkBuilder("Runbook").url(`${this.env.runbookBaseUrl}/${path}`).targetBlank(true);
  }

  row(title: string): this {
    this.builder.withRow(new RowBuilder(title).id(this.nextId++));
    return this;
  }

  timeseries(panel: PanelSpec): this {
    const builder = new TimeseriesPanelBuilder()
      .id(this.nextId++)
      .title(panel.title)
      .description(panel.description)
      .unit(panel.unit)
      .datasource(this.datasource())
      .span(panel.width ?? 12)
      .height(panel.height ?? 8)
      .links([this.runbookLink(panel.runbook)])
      .fillOpacity(panel.stack ? 30 : 10)
      .legend(new VizLegendOptionsBuilder().showLegend(true).displayMode(LegendDisplayMode.List).placement(LegendPlacement.Bottom).calcs([]))
      .tooltip(new VizTooltipOptionsBuilder().mode(TooltipDisplayMode.Multi).sort(SortOrder.Descending));
    if (panel.min !== undefined) builder.min(panel.min);
    if (panel.max !== undefined) builder.max(panel.max);
    if (panel.stack) builder.stacking(new StackingConfigBuilder().mode(StackingMode.Normal).group("A"));
    if (panel.objective) {
      builder
        .thresholds(objectiveThresholds(panel.objective))
        .thresholdsStyle(new GraphThresholdsStyleConfigBuilder().mode(GraphThresholdsStyleMode.Dashed));
    }
    for (const target of this.targets(panel.queries)) builder.withTarget(target);
    this.builder.withPanel(builder);
    return this;
  }

  stat(panel: PanelSpec): this {
    const builder = new StatPanelBuilder()
      .id(this.nextId++)
      .title(panel.title)
      .description(panel.description)
      .unit(panel.unit)
      .datasource(this.datasource())
      .span(panel.width ?? 6)
      .height(panel.height ?? 5)
      .links([this.runbookLink(panel.runbook)])
      .colorMode(BigValueColorMode.Background)
      .reduceOptions(new ReduceDataOptionsBuilder().calcs(["lastNotNull"]).values(false));
    if (panel.min !== undefined) builder.min(panel.min);
    if (panel.max !== undefined) builder.max(panel.max);
    if (panel.objective) builder.thresholds(objectiveThresholds(panel.objective));
    for (const target of this.targets(panel.queries.map((q) => ({ ...q, instant: true })))) builder.withTarget(target);
    this.builder.withPanel(builder);
    return this;
  }

  table(panel: PanelSpec): this {
    const builder = new TablePanelBuilder()
      .id(this.nextId++)
      .title(panel.title)
      .description(panel.description)
      .unit(panel.unit)
      .datasource(this.datasource())
      .span(panel.width ?? 24)
      .height(panel.height ?? 10)
      .links([this.runbookLink(panel.runbook)])
      .withTransformation({ id: "merge", options: {} });
    for (const target of this.targets(panel.queries.map((q) => ({ ...q, instant: true })), true)) builder.withTarget(target);
    this.builder.withPanel(builder);
    return this;
  }

  private targets(queries: readonly Query[], table = false): DataqueryBuilder[] {
    if (queries.length > REF_IDS.length) throw new Error(`dashboard ${this.spec.uid}: too many queries in one panel`);
    return queries.map((query, index) => {
      const target = new DataqueryBuilder().refId(REF_IDS[index]!).expr(query.expr).datasource(this.datasource());
      if (query.legend !== undefined) target.legendFormat(query.legend);
      if (query.instant) target.instant();
      else target.range();
      if (table) target.format(PromQueryFormat.Table);
      return target;
    });
  }

  build(): BuiltDashboard {
    return { folder: this.spec.folder, file: `${this.spec.uid}.json`, dashboard: this.builder.build() };
  }
}

function objectiveThresholds(objective: NonNullable<PanelSpec["objective"]>): ThresholdsConfigBuilder {
  const [under, over] = objective.below === "bad" ? ["red", "green"] : ["green", "red"];
  return new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps([
    { value: null as unknown as number, color: under },
    { value: objective.value, color: over },
  ]);
}

/** The standard template variables; each narrows the next. */
function variable(name: Variable, datasource: { type: string; uid: string }): QueryVariableBuilder {
  const queries: Record<Variable, { label: string; query: string; multi: boolean }> = {
    cluster: { label: "Cluster", query: "label_values(cortex_build_info, cluster)", multi: false },
    namespace: { label: "Namespace", query: 'label_values(cortex_build_info{cluster=~"$cluster"}, namespace)', multi: false },
    tenant: {
      label: "Tenant",
      query: 'label_values(cluster_namespace_user:cortex_ingester_active_series:sum_dedup{cluster=~"$cluster", namespace=~"$namespace"}, user)',
      multi: true,
    },
  };
  const spec = queries[name];
  const builder = new QueryVariableBuilder(name)
    .label(spec.label)
    .datasource(datasource)
    .query({ qryType: 1, query: spec.query, refId: "PrometheusVariableQueryEditor-VariableQuery" })
    .definition(spec.query)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc)
    .multi(spec.multi)
    .includeAll(spec.multi);
  if (spec.multi) builder.allValue(".+");
  return builder;
}
