//! `--shard K/N`: a deterministic 1/N of the inputs, so N machines can split one archive.
//!
//! An input belongs to shard `K` when the 64-bit XXH3 hash of its source name, modulo `N`,
//! is `K - 1`. XXH3 is a fixed, portable algorithm (unlike std's randomly seeded hasher),
//! so every machine, run and platform agrees on the split, and the union of the N shards
//! is every input exactly once.

use std::fmt;
use std::str::FromStr;

/// Shard `index` (1-based) of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl Shard {
    /// Whether the input named `source` belongs to this shard.
    pub fn contains(&self, source: &str) -> bool {
        xxhash_rust::xxh3::xxh3_64(source.as_bytes()) % self.count == self.index - 1
    }
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Shard, String> {
        let bad = || format!("`{s}` is not K/N with 1 <= K <= N (e.g. 2/8)");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let index: u64 = k.trim().parse().map_err(|_| bad())?;
        let count: u64 = n.trim().parse().map_err(|_| bad())?;
        if count == 0 || index == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rejects() {
        assert_eq!("2/8".parse::<Shard>(), Ok(Shard { index: 2, count: 8 }));
        for bad in ["0/3", "4/3", "1/0", "x/2", "3", ""] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }

    #[test]
    fn shards_partition_the_inputs() {
        let names: Vec<String> = (0..1000).map(|i| format!("calls/{i:05}.json")).collect();
        let mut sizes = Vec::new();
        for k in 1..=4 {
            let shard = Shard { index: k, count: 4 };
            sizes.push(names.iter().filter(|n| shard.contains(n)).count());
        }
        assert_eq!(sizes.iter().sum::<usize>(), 1000);
        assert!(sizes.iter().all(|&s| (200..300).contains(&s)), "{sizes:?}");
        // Stable across runs and machines: a fixed name always lands in the same shard.
        let home: Vec<u64> = (1..=4)
            .filter(|&k| Shard { index: k, count: 4 }.contains("calls/00042.json"))
            .collect();
        assert_eq!(home.len(), 1);
        // Pinned: the split must never change between versions, or re-running one shard of
        // a split archive would process different calls.
        assert_eq!(
            xxhash_rust::xxh3::xxh3_64(b"calls/00042.json"),
            5835031819650806010
        );
        assert_eq!(home, [5835031819650806010 % 4 + 1]);
    }
}
