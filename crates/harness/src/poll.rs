//! Polling for kernel states that have no event (a connection accepted, a
//! program gone back to waiting): first right away, then at growing intervals,
//! so a quick change is seen at once and a slow one costs few looks.

use std::time::Duration;

/// The longest pause between two looks: what a decision may lag behind the
/// state it waits for.
pub const MAX_PAUSE: Duration = Duration::from_millis(4);

/// The pauses of one polling loop.
#[derive(Debug, Default)]
pub struct Backoff {
    looks: u32,
}

impl Backoff {
    /// Waits before the next look: a yield for the first few, then 1, 2 and
    /// at most [`MAX_PAUSE`] milliseconds.
    pub async fn pause(&mut self) {
        self.looks += 1;
        match self.next_pause() {
            None => tokio::task::yield_now().await,
            Some(pause) => tokio::time::sleep(pause).await,
        }
    }

    /// The pause after this many looks (`None`: just yield).
    fn next_pause(&self) -> Option<Duration> {
        const YIELDS: u32 = 3;
        let after = self.looks.checked_sub(YIELDS + 1)?;
        Some((Duration::from_millis(1) * 2u32.saturating_pow(after)).min(MAX_PAUSE))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yields_first_then_waits_longer_up_to_the_cap() {
        let pauses: Vec<Option<Duration>> = (1..=8)
            .map(|looks| Backoff { looks }.next_pause())
            .collect();
        let ms = |n| Some(Duration::from_millis(n));
        assert_eq!(
            pauses,
            vec![None, None, None, ms(1), ms(2), ms(4), ms(4), ms(4)]
        );
    }
}
