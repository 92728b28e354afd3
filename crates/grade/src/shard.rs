//! `--shard K/N`: a deterministic split of a class over N machines. A student's
//! shard depends only on their name, so adding a student moves nobody else.
//!
//! `--shard auto` reads K and N from the engine running the job, first found
//! wins:
//!
//! | engine | K | N |
//! |---|---|---|
//! | any (e.g. a GitHub Actions matrix) | `SOCKSPEC_SHARD_INDEX` (0-based, e.g. `${{ strategy.job-index }}`) + 1 | `SOCKSPEC_SHARD_COUNT` (`${{ strategy.job-total }}`) |
//! | GitLab CI `parallel:` | `CI_NODE_INDEX` (1-based) | `CI_NODE_TOTAL` |
//! | Slurm job array | (`SLURM_ARRAY_TASK_ID` − `SLURM_ARRAY_TASK_MIN`) / `SLURM_ARRAY_TASK_STEP` + 1 | `SLURM_ARRAY_TASK_COUNT` |
//! | Kubernetes Indexed Job | `JOB_COMPLETION_INDEX` (0-based) + 1 | `SOCKSPEC_SHARD_COUNT` (set it to `completions`) |

/// Why `--shard` cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShardError {
    /// Not `K/N` with 1 ≤ K ≤ N, nor `auto`.
    #[error("--shard {0}: expected K/N with 1 <= K <= N (e.g. 2/4), or auto")]
    Syntax(String),
    /// `auto`, but no engine's variables are set.
    #[error(
        "--shard auto: no CI engine found; set SOCKSPEC_SHARD_INDEX (0-based) and SOCKSPEC_SHARD_COUNT, \
         or run under a GitLab CI parallel job (CI_NODE_INDEX, CI_NODE_TOTAL), a Slurm job array \
         (SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_COUNT, SLURM_ARRAY_TASK_MIN) or a Kubernetes \
         Indexed Job (JOB_COMPLETION_INDEX, with SOCKSPEC_SHARD_COUNT)"
    )]
    NoEngine,
    /// An engine's variables are set but do not make a shard.
    #[error("--shard auto ({engine}): {detail}")]
    Bad {
        /// The engine whose variables were read.
        engine: &'static str,
        /// What is wrong with them.
        detail: String,
    },
}

/// A shard: K of N, and where K and N came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shard {
    /// Which part, 1-based.
    pub k: u32,
    /// How many parts.
    pub n: u32,
    /// The engine and variables K and N were read from (`auto` only).
    pub source: Option<String>,
}

/// Parses `K/N` (1 ≤ K ≤ N).
pub fn parse(text: &str) -> Result<(u32, u32), ShardError> {
    let bad = || ShardError::Syntax(text.to_string());
    let (k, n) = text.split_once('/').ok_or_else(bad)?;
    let (k, n): (u32, u32) = (
        k.trim().parse().map_err(|_| bad())?,
        n.trim().parse().map_err(|_| bad())?,
    );
    if n == 0 || k == 0 || k > n {
        return Err(bad());
    }
    Ok((k, n))
}

/// `--shard SPEC`: `K/N`, or `auto` read from the environment through `var`.
pub fn resolve(spec: &str, var: &dyn Fn(&str) -> Option<String>) -> Result<Shard, ShardError> {
    if spec.trim() != "auto" {
        let (k, n) = parse(spec)?;
        return Ok(Shard { k, n, source: None });
    }
    let get = |name: &str| var(name).filter(|v| !v.trim().is_empty());
    let number = |engine: &'static str, name: &str| -> Result<u32, ShardError> {
        let text = get(name).ok_or_else(|| ShardError::Bad {
            engine,
            detail: format!("{name} is not set"),
        })?;
        text.trim().parse().map_err(|_| ShardError::Bad {
            engine,
            detail: format!("{name}={text} is not a number"),
        })
    };
    let shard = |engine: &'static str, k: u32, n: u32, vars: String| {
        if n == 0 || k == 0 || k > n {
            return Err(ShardError::Bad {
                engine,
                detail: format!("{vars} make shard {k} of {n}"),
            });
        }
        Ok(Shard {
            k,
            n,
            source: Some(format!("{engine}: {vars}")),
        })
    };
    if get("SOCKSPEC_SHARD_INDEX").is_some() {
        let engine = "SOCKSPEC_SHARD_INDEX";
        let (i, n) = (
            number(engine, "SOCKSPEC_SHARD_INDEX")?,
            number(engine, "SOCKSPEC_SHARD_COUNT")?,
        );
        return shard(
            engine,
            i.saturating_add(1),
            n,
            format!("SOCKSPEC_SHARD_INDEX={i} SOCKSPEC_SHARD_COUNT={n}"),
        );
    }
    if get("CI_NODE_INDEX").is_some() {
        let engine = "GitLab CI";
        let (k, n) = (
            number(engine, "CI_NODE_INDEX")?,
            number(engine, "CI_NODE_TOTAL")?,
        );
        return shard(engine, k, n, format!("CI_NODE_INDEX={k} CI_NODE_TOTAL={n}"));
    }
    if get("SLURM_ARRAY_TASK_ID").is_some() {
        let engine = "Slurm job array";
        let id = number(engine, "SLURM_ARRAY_TASK_ID")?;
        let n = number(engine, "SLURM_ARRAY_TASK_COUNT")?;
        let min = number(engine, "SLURM_ARRAY_TASK_MIN")?;
        let step = match get("SLURM_ARRAY_TASK_STEP") {
            Some(_) => number(engine, "SLURM_ARRAY_TASK_STEP")?.max(1),
            None => 1,
        };
        let vars = format!(
            "SLURM_ARRAY_TASK_ID={id} SLURM_ARRAY_TASK_MIN={min} SLURM_ARRAY_TASK_STEP={step} SLURM_ARRAY_TASK_COUNT={n}"
        );
        if id < min || (id - min) % step != 0 {
            return Err(ShardError::Bad {
                engine,
                detail: format!("{vars}: the task ID is not in the array"),
            });
        }
        return shard(engine, (id - min) / step + 1, n, vars);
    }
    if get("JOB_COMPLETION_INDEX").is_some() {
        let engine = "Kubernetes Indexed Job";
        let i = number(engine, "JOB_COMPLETION_INDEX")?;
        let n = number(engine, "SOCKSPEC_SHARD_COUNT")?;
        return shard(
            engine,
            i.saturating_add(1),
            n,
            format!("JOB_COMPLETION_INDEX={i} SOCKSPEC_SHARD_COUNT={n}"),
        );
    }
    Err(ShardError::NoEngine)
}

/// Whether `student` belongs to shard `k` of `n` (FNV-1a of the name).
pub fn contains(student: &str, k: u32, n: u32) -> bool {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in student.bytes() {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash % u64::from(n) == u64::from(k - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    fn auto(pairs: &[(&str, &str)]) -> Result<(u32, u32), ShardError> {
        resolve("auto", &env(pairs)).map(|s| (s.k, s.n))
    }

    #[test]
    fn every_student_is_in_exactly_one_shard() {
        for name in ["alice", "bob", "陈明", "d", ""] {
            let shards: Vec<u32> = (1..=3).filter(|&k| contains(name, k, 3)).collect();
            assert_eq!(shards.len(), 1, "{name}: {shards:?}");
        }
        assert!(parse("0/2").is_err() && parse("3/2").is_err() && parse("x").is_err());
        assert_eq!(parse("2/4"), Ok((2, 4)));
        assert_eq!(resolve("2/4", &env(&[])).map(|s| (s.k, s.n)), Ok((2, 4)));
    }

    #[test]
    fn auto_reads_each_engine() {
        // A GitHub Actions matrix passes strategy.job-index (0-based) and job-total.
        let github = [("SOCKSPEC_SHARD_INDEX", "0"), ("SOCKSPEC_SHARD_COUNT", "3")];
        assert_eq!(auto(&github), Ok((1, 3)));
        assert_eq!(
            auto(&[("CI_NODE_INDEX", "3"), ("CI_NODE_TOTAL", "3")]),
            Ok((3, 3))
        );
        // Slurm arrays may start at 0 or 1, or anywhere, and may have a step.
        let slurm = |id: &'static str, min: &'static str| {
            [
                ("SLURM_ARRAY_TASK_ID", id),
                ("SLURM_ARRAY_TASK_MIN", min),
                ("SLURM_ARRAY_TASK_COUNT", "3"),
            ]
        };
        assert_eq!(auto(&slurm("0", "0")), Ok((1, 3)));
        assert_eq!(auto(&slurm("2", "0")), Ok((3, 3)));
        assert_eq!(auto(&slurm("1", "1")), Ok((1, 3)));
        assert_eq!(auto(&slurm("3", "1")), Ok((3, 3)));
        assert!(auto(&slurm("4", "1")).is_err());
        assert_eq!(
            auto(&[
                ("SLURM_ARRAY_TASK_ID", "14"),
                ("SLURM_ARRAY_TASK_MIN", "10"),
                ("SLURM_ARRAY_TASK_STEP", "2"),
                ("SLURM_ARRAY_TASK_COUNT", "3"),
            ]),
            Ok((3, 3))
        );
        let k8s = [("JOB_COMPLETION_INDEX", "1"), ("SOCKSPEC_SHARD_COUNT", "3")];
        assert_eq!(auto(&k8s), Ok((2, 3)));
        assert_eq!(auto(&[]), Err(ShardError::NoEngine));
        let missing = auto(&[("JOB_COMPLETION_INDEX", "1")]).unwrap_err();
        assert!(
            missing
                .to_string()
                .contains("SOCKSPEC_SHARD_COUNT is not set"),
            "{missing}"
        );
        assert!(auto(&[("CI_NODE_INDEX", "x"), ("CI_NODE_TOTAL", "2")]).is_err());
    }
}
