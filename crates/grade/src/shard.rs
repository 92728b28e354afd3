//! `--shard K/N`: a deterministic split of a class over N machines. A student's
//! shard depends only on their name, so adding a student moves nobody else.

/// Parses `K/N` (1 ≤ K ≤ N).
pub fn parse(text: &str) -> Result<(u32, u32), String> {
    let bad = || format!("--shard {text}: expected K/N with 1 <= K <= N, e.g. 2/4");
    let (k, n) = text.split_once('/').ok_or_else(bad)?;
    let (k, n): (u32, u32) = (k.parse().map_err(|_| bad())?, n.parse().map_err(|_| bad())?);
    if n == 0 || k == 0 || k > n {
        return Err(bad());
    }
    Ok((k, n))
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

    #[test]
    fn every_student_is_in_exactly_one_shard() {
        for name in ["alice", "bob", "陈明", "d", ""] {
            let shards: Vec<u32> = (1..=3).filter(|&k| contains(name, k, 3)).collect();
            assert_eq!(shards.len(), 1, "{name}: {shards:?}");
        }
        assert!(parse("0/2").is_err() && parse("3/2").is_err() && parse("x").is_err());
        assert_eq!(parse("2/4"), Ok((2, 4)));
    }
}
