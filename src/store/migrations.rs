//! Embedded, ordered migrations. Each runs once, inside a transaction, and is recorded in
//! `schema_migrations`; the SQL is portable between SQLite and PostgreSQL.

use sqlx::AnyPool;

const MIGRATIONS: &[(i64, &str)] = &[
    (
        1,
        "CREATE TABLE user_preferences (
        user_id TEXT NOT NULL,
        provider TEXT NOT NULL,
        data TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (user_id, provider)
    );
    CREATE TABLE events (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL,
        acted_upon TEXT NOT NULL,
        operation_id TEXT NOT NULL,
        system_id TEXT NOT NULL,
        severity TEXT NOT NULL,
        status TEXT NOT NULL,
        action TEXT NOT NULL,
        category TEXT NOT NULL,
        description TEXT NOT NULL,
        metadata TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX events_user_created ON events (user_id, created_at)",
    ),
    // Deleted events become tombstones: Meshery's events carry `deletedAt`, and an event a
    // remote provider lists must not come back after the user deleted it here.
    (2, "ALTER TABLE events ADD COLUMN deleted_at TEXT"),
    // Performance profiles: the searchable columns apart, the rest as Meshery's JSON.
    (
        3,
        "CREATE TABLE performance_profiles (
            id TEXT PRIMARY KEY,
            user_id TEXT NOT NULL,
            name TEXT NOT NULL,
            data TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX performance_profiles_user ON performance_profiles (user_id, updated_at)",
    ),
    // Load-test results (Fortio's runner result and the SMP summary as JSON) and the stored
    // SMP test configurations of `/api/user/prefs/perf`. `profile_id` is not a foreign key:
    // results outlive a deleted profile, as in Meshery.
    (
        4,
        "CREATE TABLE performance_results (
            id TEXT PRIMARY KEY,
            user_id TEXT NOT NULL,
            profile_id TEXT,
            name TEXT NOT NULL,
            mesh TEXT NOT NULL,
            test_id TEXT NOT NULL,
            test_start_time TEXT NOT NULL,
            runner_results TEXT NOT NULL,
            smp TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX performance_results_user ON performance_results (user_id, test_start_time);
        CREATE INDEX performance_results_profile ON performance_results (profile_id, test_start_time);
        CREATE TABLE perf_test_configs (
            id TEXT PRIMARY KEY,
            user_id TEXT NOT NULL,
            name TEXT NOT NULL,
            data TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX perf_test_configs_user ON perf_test_configs (user_id, updated_at)",
    ),
    // Cron schedules of performance profiles. `owner` keeps what the scheduler needs to run
    // as the user with no request (names, email; JSON). `next_run` is NULL once a schedule has
    // stopped; the scheduler reads the earliest one, hence the index. `profile_id` is not a
    // foreign key: a deleted profile stops its schedules when they next fire.
    (
        5,
        "CREATE TABLE schedules (
            id TEXT PRIMARY KEY,
            user_id TEXT NOT NULL,
            provider TEXT NOT NULL,
            name TEXT NOT NULL,
            profile_id TEXT NOT NULL,
            cron_expression TEXT NOT NULL,
            next_run TEXT,
            last_run TEXT,
            owner TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX schedules_user ON schedules (user_id, updated_at);
        CREATE INDEX schedules_next_run ON schedules (next_run)",
    ),
];

pub async fn run(pool: &AnyPool) -> Result<(), sqlx::Error> {
    sqlx::query("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY)")
        .execute(pool)
        .await?;
    for (version, sql) in MIGRATIONS {
        let mut tx = pool.begin().await?;
        let done = sqlx::query("SELECT version FROM schema_migrations WHERE version = $1")
            .bind(*version)
            .fetch_optional(&mut *tx)
            .await?;
        if done.is_some() {
            continue;
        }
        for statement in sql.split(';').map(str::trim).filter(|s| !s.is_empty()) {
            sqlx::query(statement).execute(&mut *tx).await?;
        }
        sqlx::query("INSERT INTO schema_migrations (version) VALUES ($1)")
            .bind(*version)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
    }
    Ok(())
}
