//! Segmentation plans: how one byte stream is cut into writes. TCP is a byte
//! stream, so a correct peer answers the same bytes the same way however they
//! were cut; these plans are what sockspec varies.

use std::fmt;
use std::ops::Range;

/// A way to cut a stream of messages into writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cutting {
    /// Every byte in one write.
    Whole,
    /// One write per message.
    PerMessage,
    /// Writes cut at these byte offsets (they may fall inside messages).
    At(Vec<usize>),
    /// One byte per write.
    Bytes,
}

impl Cutting {
    /// The byte ranges of the writes for a stream of `len` bytes whose messages
    /// end at `message_ends` (ascending, the last one `len`). Empty writes are
    /// left out.
    pub fn pieces(&self, len: usize, message_ends: &[usize]) -> Vec<Range<usize>> {
        let mut cuts: Vec<usize> = match self {
            Cutting::Whole => Vec::new(),
            Cutting::PerMessage => message_ends.to_vec(),
            Cutting::At(at) => at.clone(),
            Cutting::Bytes => (1..len).collect(),
        };
        cuts.retain(|&c| c > 0 && c < len);
        cuts.sort_unstable();
        cuts.dedup();
        let mut start = 0;
        let mut pieces = Vec::with_capacity(cuts.len() + 1);
        for c in cuts.into_iter().chain(std::iter::once(len)) {
            if c > start {
                pieces.push(start..c);
                start = c;
            }
        }
        pieces
    }
}

impl fmt::Display for Cutting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cutting::Whole => f.write_str("all in one write"),
            Cutting::PerMessage => f.write_str("one write per message"),
            Cutting::Bytes => f.write_str("one byte per write"),
            Cutting::At(at) => {
                let list: Vec<String> = at.iter().map(|c| c.to_string()).collect();
                write!(f, "writes cut at byte offsets {}", list.join(", "))
            }
        }
    }
}

/// Messages joined into one stream, with the offsets where each ends.
pub fn join(messages: &[Vec<u8>]) -> (Vec<u8>, Vec<usize>) {
    let mut stream = Vec::new();
    let mut ends = Vec::with_capacity(messages.len());
    for m in messages {
        stream.extend_from_slice(m);
        ends.push(stream.len());
    }
    (stream, ends)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cutting_covers_the_stream_exactly_once() {
        let (stream, ends) = join(&[b"ab\n".to_vec(), b"cde\n".to_vec()]);
        for cutting in [
            Cutting::Whole,
            Cutting::PerMessage,
            Cutting::Bytes,
            Cutting::At(vec![5, 1, 1, 99]),
        ] {
            let pieces = cutting.pieces(stream.len(), &ends);
            let rejoined: Vec<u8> = pieces
                .iter()
                .flat_map(|r| stream[r.clone()].to_vec())
                .collect();
            assert_eq!(rejoined, stream, "{cutting}");
            assert!(pieces.iter().all(|r| !r.is_empty()), "{cutting}");
        }
        assert_eq!(Cutting::PerMessage.pieces(7, &ends), [0..3, 3..7]);
        assert_eq!(Cutting::At(vec![5, 1]).pieces(7, &ends), [0..1, 1..5, 5..7]);
        assert_eq!(Cutting::Bytes.pieces(3, &[3]).len(), 3);
        assert_eq!(Cutting::Whole.pieces(0, &[]), Vec::<Range<usize>>::new());
    }
}
