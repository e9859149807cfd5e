import assert from "node:assert/strict";
import { openClickHouse } from "../src/clickhouse/open.ts";
import { RiskTrainError } from "../src/errors.ts";
import { migrate } from "../src/schema/migrate.ts";
import type { ClickHouse } from "../src/types.ts";

/**
 * The data contract, transcribed from DATA_CONTRACT.md (not read from schema/): every
 * table's columns in order with their types, partition key and sorting key.
 */
const DEC = "Decimal128(18)";
const FEATURE_GROUPS: [string, string][] = [
  [
    "UInt32",
    "degree_in degree_out degree_total unique_counterparties activity_days activity_span_days " +
    "unique_assets_in unique_assets_out kcore community_id khop1_count khop2_count khop3_count " +
    "outlier_transactions unique_recipients_count unique_senders_count",
  ],
  [
    "UInt64",
    "tx_in_count tx_out_count tx_total_count first_activity_timestamp last_activity_timestamp",
  ],
  ["UInt8", "peak_hour peak_day peak_activity_hour peak_activity_day"],
  [
    DEC,
    "total_in_usd total_out_usd net_flow_usd total_volume_usd avg_tx_in_usd avg_tx_out_usd " +
    "median_tx_in_usd median_tx_out_usd max_tx_usd min_tx_usd avg_daily_volume_usd " +
    "khop1_volume_usd khop2_volume_usd khop3_volume_usd",
  ],
  [
    "Float64",
    "amount_variance amount_skewness amount_kurtosis volume_std volume_cv flow_concentration",
  ],
  [
    "Float32",
    "regularity_score burst_factor reciprocity_ratio flow_diversity counterparty_concentration " +
    "concentration_ratio velocity_score structuring_score asset_diversity_score hourly_entropy " +
    "daily_entropy weekend_transaction_ratio night_transaction_ratio small_transaction_ratio " +
    "consistency_score pagerank betweenness closeness clustering_coefficient centrality_score " +
    "flow_reciprocity_entropy counterparty_stability flow_burstiness transaction_regularity " +
    "amount_predictability behavioral_anomaly_score graph_anomaly_score " +
    "neighborhood_anomaly_score global_anomaly_score suspicious_pattern_score " +
    "completeness_score quality_score outlier_score confidence_score",
  ],
  ["String", "dominant_asset_in dominant_asset_out"],
  ["Array(UInt16)", "hourly_activity daily_activity"],
  [
    "Bool",
    "is_exchange_like is_whale is_mixer_like is_contract_like is_new_address " +
    "is_dormant_reactivated is_high_volume_trader is_hub_address is_retail_active " +
    "is_whale_inactive is_retail_inactive is_regular_user",
  ],
];
const FEATURE_COLUMNS: [string, string][] = FEATURE_GROUPS.flatMap(([type, names]) =>
  names.split(" ").map((name): [string, string] => [name, type])
);

interface ContractTable {
  columns: [string, string][];
  partitionKey: string;
  sortingKey: string;
}

const CONTRACT: Record<string, ContractTable> = {
  raw_alerts: {
    columns: [
      ["window_days", "UInt16"],
      ["processing_date", "Date"],
      ["alert_id", "String"],
      ["address", "String"],
      ["typology_type", "String"],
      ["pattern_id", "String"],
      ["pattern_type", "String"],
      ["severity", "String"],
      ["suspected_address_type", "String"],
      ["suspected_address_subtype", "String"],
      ["alert_confidence_score", "Float32"],
      ["description", "String"],
      ["volume_usd", DEC],
      ["evidence_json", "String"],
      ["risk_indicators", "Array(String)"],
      ["created_at", "DateTime"],
    ],
    partitionKey: "toYYYYMM(processing_date)",
    sortingKey: "window_days, processing_date, alert_id, typology_type",
  },
  raw_features: {
    columns: [
      ["window_days", "UInt16"],
      ["processing_date", "Date"],
      ["address", "String"],
      ...FEATURE_COLUMNS,
      ["created_at", "DateTime"],
    ],
    partitionKey: "(window_days, toYYYYMM(processing_date))",
    sortingKey: "window_days, processing_date, address",
  },
  raw_clusters: {
    columns: [
      ["window_days", "UInt16"],
      ["processing_date", "Date"],
      ["cluster_id", "String"],
      ["cluster_type", "String"],
      ["primary_address", "String"],
      ["pattern_id", "String"],
      ["primary_alert_id", "String"],
      ["related_alert_ids", "Array(String)"],
      ["addresses_involved", "Array(String)"],
      ["total_alerts", "UInt32"],
      ["total_volume_usd", DEC],
      ["severity_max", "String"],
      ["confidence_avg", "Float32"],
      ["earliest_alert_timestamp", "UInt64"],
      ["latest_alert_timestamp", "UInt64"],
      ["created_at", "DateTime"],
    ],
    partitionKey: "(cluster_type, toYYYYMM(processing_date))",
    sortingKey: "window_days, processing_date, cluster_type, cluster_id",
  },
  raw_money_flows: {
    columns: [
      ["window_days", "UInt16"],
      ["processing_date", "Date"],
      ["from_address", "String"],
      ["to_address", "String"],
      ["tx_count", "UInt64"],
      ["amount_sum", DEC],
      ["amount_usd_sum", DEC],
      ["first_seen_timestamp", "UInt64"],
      ["last_seen_timestamp", "UInt64"],
      ["active_days", "UInt32"],
      ["avg_tx_size_usd", DEC],
      ["unique_assets", "UInt32"],
      ["dominant_asset", "String"],
      ["hourly_pattern", "Array(UInt16)"],
      ["weekly_pattern", "Array(UInt16)"],
      ["reciprocity_ratio", "Float32"],
      ["is_bidirectional", "Bool"],
      ["created_at", "DateTime"],
    ],
    partitionKey: "(window_days, toYYYYMM(processing_date))",
    sortingKey: "window_days, processing_date, from_address, to_address",
  },
  raw_address_labels: {
    columns: [
      ["processing_date", "Date"],
      ["window_days", "UInt16"],
      ["network", "String"],
      ["address", "String"],
      ["label", "String"],
      ["network_type", "String"],
      ["address_type", "String"],
      ["address_subtype", "String"],
      ["risk_level", "String"],
      ["confidence_score", "Float32"],
      ["trust_level", "String"],
      ["source", "String"],
    ],
    partitionKey: "(toYYYYMM(processing_date), network)",
    sortingKey: "processing_date, window_days, network, address, label",
  },
  alert_scores: {
    columns: [
      ["processing_date", "Date"],
      ["alert_id", "String"],
      ["score", "Float64"],
      ["model_version", "String"],
      ["explain_json", "String"],
      ["created_at", "DateTime"],
      ["network", "String"],
      ["window_days", "UInt16"],
    ],
    partitionKey: "toYYYYMM(processing_date)",
    sortingKey: "processing_date, alert_id",
  },
  alert_rankings: {
    columns: [
      ["processing_date", "Date"],
      ["alert_id", "String"],
      ["rank", "Int32"],
      ["model_version", "String"],
      ["created_at", "DateTime"],
      ["network", "String"],
      ["window_days", "UInt16"],
    ],
    partitionKey: "toYYYYMM(processing_date)",
    sortingKey: "processing_date, rank",
  },
  cluster_scores: {
    columns: [
      ["processing_date", "Date"],
      ["cluster_id", "String"],
      ["score", "Float64"],
      ["model_version", "String"],
      ["created_at", "DateTime"],
      ["network", "String"],
      ["window_days", "UInt16"],
    ],
    partitionKey: "toYYYYMM(processing_date)",
    sortingKey: "processing_date, cluster_id",
  },
  batch_metadata: {
    columns: [
      ["processing_date", "Date"],
      ["processed_at", "DateTime"],
      ["input_counts_alerts", "Int32"],
      ["input_counts_features", "Int32"],
      ["input_counts_clusters", "Int32"],
      ["output_counts_alert_scores", "Int32"],
      ["output_counts_alert_rankings", "Int32"],
      ["output_counts_cluster_scores", "Int32"],
      ["latencies_ms_alert_scoring", "Int32"],
      ["latencies_ms_alert_ranking", "Int32"],
      ["latencies_ms_cluster_scoring", "Int32"],
      ["latencies_ms_total", "Int32"],
      ["model_versions_alert_scorer", "String"],
      ["model_versions_alert_ranker", "String"],
      ["model_versions_cluster_scorer", "String"],
      ["status", "Enum8('PROCESSING' = 1, 'COMPLETED' = 2, 'FAILED' = 3)"],
      ["error_message", "String"],
      ["created_at", "DateTime"],
      ["network", "String"],
      ["window_days", "UInt16"],
    ],
    partitionKey: "toYYYYMM(processing_date)",
    sortingKey: "processing_date",
  },
  trained_models: {
    columns: [
      ["model_id", "String"],
      ["model_type", "String"],
      ["version", "String"],
      ["network", "String"],
      ["training_start_date", "Date"],
      ["training_end_date", "Date"],
      ["created_at", "DateTime"],
      ["model_path", "String"],
      ["metrics_json", "String"],
      ["hyperparameters_json", "String"],
      ["feature_names", "Array(String)"],
      ["num_samples", "UInt32"],
      ["num_features", "UInt16"],
      ["test_auc", "Float32"],
      ["cv_auc_mean", "Float32"],
      ["cv_auc_std", "Float32"],
    ],
    partitionKey: "",
    sortingKey: "network, model_type, created_at",
  },
};

/** Column defaults the contract names (the DEFAULT expressions as ClickHouse shows them). */
const CONTRACT_DEFAULTS: [string, string, string][] = [
  ["raw_alerts", "pattern_id", "''"],
  ["raw_alerts", "pattern_type", "''"],
  ["raw_alerts", "severity", "'medium'"],
  ["raw_alerts", "suspected_address_type", "'unknown'"],
  ["raw_alerts", "suspected_address_subtype", "''"],
  ["raw_alerts", "volume_usd", "0"],
  ["raw_alerts", "created_at", "now()"],
  ["raw_features", "created_at", "now()"],
  ["raw_clusters", "primary_address", "''"],
  ["raw_clusters", "pattern_id", "''"],
  ["raw_clusters", "severity_max", "'medium'"],
  ["raw_clusters", "created_at", "now()"],
  ["raw_money_flows", "created_at", "now()"],
  ["raw_address_labels", "network_type", "''"],
  ["raw_address_labels", "address_type", "'unknown'"],
  ["raw_address_labels", "address_subtype", "''"],
  ["raw_address_labels", "risk_level", "'medium'"],
  ["raw_address_labels", "confidence_score", "0.5"],
  ["raw_address_labels", "trust_level", "''"],
  ["raw_address_labels", "source", "''"],
  ["alert_scores", "explain_json", "''"],
  ["alert_scores", "created_at", "now()"],
  ["alert_rankings", "created_at", "now()"],
  ["cluster_scores", "created_at", "now()"],
  ["batch_metadata", "created_at", "now()"],
  ...["alert_scores", "alert_rankings", "cluster_scores", "batch_metadata"].flatMap((
    table,
  ): [string, string, string][] => [[table, "network", "''"], [table, "window_days", "0"]]),
];

/** The data-skipping indexes schema/ adds (documented in each .sql file). */
const INDEXES: [string, string, string, string][] = [
  ["raw_alerts", "idx_address", "address", "bloom_filter"],
  ["raw_clusters", "idx_primary_address", "primary_address", "bloom_filter"],
  ["raw_money_flows", "idx_to_address", "to_address", "bloom_filter"],
  ["raw_address_labels", "idx_address", "address", "bloom_filter"],
];

/** ClickHouse spells `Decimal128(18)` as `Decimal(38, 18)` in system.columns. */
function systemType(type: string): string {
  return type === DEC ? "Decimal(38, 18)" : type;
}

async function rows(ch: ClickHouse, sql: string, db: string): Promise<string[][]> {
  const table = await ch.query(sql, { params: { db } });
  const columns = table.schema.fields.map((_, j) => table.getChildAt(j)!);
  return Array.from({ length: table.numRows }, (_, i) => columns.map((c) => String(c.get(i))));
}

const byKey = (a: string[], b: string[]) => a.join(".").localeCompare(b.join("."));

async function withEngine(fn: (ch: ClickHouse) => Promise<void>): Promise<void> {
  const dataDir = await Deno.makeTempDir({ prefix: "risktrain-migrate-test-" });
  const ch = await openClickHouse({ dataDir });
  try {
    await fn(ch);
  } finally {
    await ch.close();
    await Deno.remove(dataDir, { recursive: true });
  }
}

Deno.test("migrate() creates exactly the data contract's tables, columns, keys and indexes", async () => {
  await withEngine(async (ch) => {
    const result = await migrate(ch, { network: "demo" });
    assert.equal(result.database, "risk_scoring_demo");
    assert.deepEqual(result.tables, Object.keys(CONTRACT));

    const tables = await rows(
      ch,
      "SELECT name, engine, partition_key, sorting_key, engine_full FROM system.tables " +
        "WHERE database = {db:String} ORDER BY name",
      "risk_scoring_demo",
    );
    assert.deepEqual(tables.map((t) => t[0]), Object.keys(CONTRACT).sort());
    for (const [name, engine, partitionKey, sortingKey, engineFull] of tables) {
      const expected = CONTRACT[name];
      assert.equal(engine, "MergeTree", name);
      assert.equal(partitionKey, expected.partitionKey, `${name} partition key`);
      assert.equal(sortingKey, expected.sortingKey, `${name} sorting key`);
      assert.match(engineFull, /SETTINGS index_granularity = 8192$/, `${name} settings`);
    }

    const columns = await rows(
      ch,
      "SELECT table, name, type FROM system.columns WHERE database = {db:String} " +
        "ORDER BY table, position",
      "risk_scoring_demo",
    );
    for (const [table, contract] of Object.entries(CONTRACT)) {
      const actual = columns.filter((c) => c[0] === table).map((c) => [c[1], c[2]]);
      const expected = contract.columns.map(([name, type]) => [name, systemType(type)]);
      assert.deepEqual(actual, expected, `${table} columns`);
    }
    assert.equal(CONTRACT.raw_features.columns.length, 3 + 95 + 1);

    const defaults = await rows(
      ch,
      "SELECT table, name, default_kind, default_expression FROM system.columns " +
        "WHERE database = {db:String} AND default_kind != '' ORDER BY table, name",
      "risk_scoring_demo",
    );
    assert.deepEqual(
      defaults.sort(byKey),
      CONTRACT_DEFAULTS.map(([table, name, expression]) => [table, name, "DEFAULT", expression])
        .sort(byKey),
    );

    const indexes = await rows(
      ch,
      "SELECT table, name, expr, type FROM system.data_skipping_indices " +
        "WHERE database = {db:String} ORDER BY table, name",
      "risk_scoring_demo",
    );
    assert.deepEqual(indexes.sort(byKey), [...INDEXES].sort(byKey));
  });
});

Deno.test("migrate() is idempotent and keeps existing rows", async () => {
  await withEngine(async (ch) => {
    await migrate(ch, { network: "demo" });
    await ch.command(
      "INSERT INTO {db:Identifier}.trained_models (model_id, network) VALUES ('m1', 'demo')",
      { params: { db: "risk_scoring_demo" } },
    );
    const again = await migrate(ch, { network: "demo" });
    assert.equal(again.tables.length, 10);
    const count = await rows(
      ch,
      "SELECT count() FROM {db:Identifier}.trained_models",
      "risk_scoring_demo",
    );
    assert.deepEqual(count, [["1"]]);
  });
});

Deno.test("migrate() upgrades scoring tables created before network and window_days", async () => {
  await withEngine(async (ch) => {
    const params = { db: "risk_scoring_old" };
    await ch.command("CREATE DATABASE {db:Identifier}", { params });
    await ch.command(
      "CREATE TABLE {db:Identifier}.alert_scores (processing_date Date, alert_id String, " +
        "score Float64, model_version String, explain_json String DEFAULT '', " +
        "created_at DateTime DEFAULT now()) ENGINE = MergeTree() " +
        "PARTITION BY toYYYYMM(processing_date) ORDER BY (processing_date, alert_id)",
      { params },
    );
    await ch.command(
      "INSERT INTO {db:Identifier}.alert_scores (processing_date, alert_id, score, " +
        "model_version) VALUES ('2024-01-01', 'a1', 0.5, 'v1')",
      { params },
    );
    await migrate(ch, { network: "old" });
    const upgraded = await rows(
      ch,
      "SELECT alert_id, network, window_days FROM {db:Identifier}.alert_scores",
      "risk_scoring_old",
    );
    assert.deepEqual(upgraded, [["a1", "", "0"]]);
    const columns = await rows(
      ch,
      "SELECT name FROM system.columns WHERE database = {db:String} AND table = 'alert_scores' " +
        "ORDER BY position",
      "risk_scoring_old",
    );
    assert.deepEqual(columns.map((c) => c[0]), [
      "processing_date",
      "alert_id",
      "score",
      "model_version",
      "explain_json",
      "created_at",
      "network",
      "window_days",
    ]);
  });
});

Deno.test("migrate() uses an explicit database name", async () => {
  await withEngine(async (ch) => {
    const result = await migrate(ch, { network: "torus", database: "analytics_torus" });
    assert.equal(result.database, "analytics_torus");
    const tables = await rows(
      ch,
      "SELECT count() FROM system.tables WHERE database = {db:String}",
      "analytics_torus",
    );
    assert.deepEqual(tables, [["10"]]);
  });
});

Deno.test("migrate() rejects a hostile network name before touching ClickHouse", async () => {
  await withEngine(async (ch) => {
    for (const network of ["demo`; DROP DATABASE system; --", "Demo", "", "1abc", "a-b"]) {
      await assert.rejects(
        () => migrate(ch, { network }),
        (error: unknown) =>
          error instanceof RiskTrainError && error.code === "CONFIG_INVALID" &&
          /network/.test(error.message),
        network,
      );
    }
    await assert.rejects(
      () => migrate(ch, { network: "demo", database: "x`.y" }),
      (error: unknown) => error instanceof RiskTrainError && error.code === "CONFIG_INVALID",
    );
    const databases = await rows(
      ch,
      "SELECT count() FROM system.databases WHERE name LIKE {db:String}",
      "risk_scoring_%",
    );
    assert.deepEqual(databases, [["0"]]);
  });
});

Deno.test("migrate() stops when its signal is aborted", async () => {
  await withEngine(async (ch) => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(
      () => migrate(ch, { network: "demo", signal: controller.signal }),
      (error: unknown) => error instanceof RiskTrainError && error.code === "CANCELLED",
    );
  });
});
