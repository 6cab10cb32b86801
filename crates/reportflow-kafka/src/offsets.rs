//! Per-partition offset tracking: the contiguous "safe to commit" watermark.
//!
//! Messages of one partition are dispatched in offset order but finish (all outputs
//! acknowledged by the broker) in any order. Committing the offset of the last message that
//! finished would lose every earlier message still in flight if the worker died right after the
//! commit, which is how per-message offset stores lose data. An [`OffsetTracker`] instead
//! exposes the *contiguous* watermark: the offset to commit is the lowest dispatched offset that
//! is not done yet, or one past the highest dispatched offset when everything is done. No
//! offset at or past an unfinished one is ever offered for commit.
//!
//! Offsets are not assumed to be dense: compacted topics and transaction markers leave gaps,
//! and the tracker only reasons about offsets it was told about. The module is pure (no I/O,
//! no clocks) so that it can be tested exhaustively.

use std::collections::BTreeSet;

/// What [`OffsetTracker::dispatch`] did with an offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dispatch {
    /// The offset is now tracked as in flight; the caller must process it and call
    /// [`OffsetTracker::complete`] once its outputs are acknowledged.
    Tracked,
    /// The offset is already in flight (a redelivery of a message being processed); the caller
    /// must not process it again: the first dispatch will complete it.
    AlreadyInFlight,
}

/// Tracks the in-flight offsets of one partition and the contiguous commit watermark.
#[derive(Debug, Clone, Default)]
pub struct OffsetTracker {
    /// Dispatched offsets whose outputs are not all acknowledged yet.
    pending: BTreeSet<i64>,
    /// The highest offset ever dispatched.
    max_dispatched: Option<i64>,
    /// The last commit offset (next offset to consume) known to be stored by the group
    /// coordinator, or the first dispatched offset (nothing before it is ours to commit).
    committed: Option<i64>,
}

impl OffsetTracker {
    /// An empty tracker: nothing dispatched, nothing to commit.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records that the message at `offset` is being processed.
    ///
    /// Offsets normally arrive in increasing order; an offset below the highest seen (a
    /// redelivery after a rewind) is tracked again unless it is still in flight, so the
    /// watermark drops back to it until it completes (it may be processed twice: that is
    /// at-least-once).
    pub fn dispatch(&mut self, offset: i64) -> Dispatch {
        if self.pending.contains(&offset) {
            return Dispatch::AlreadyInFlight;
        }
        if self.committed.is_none() {
            // Whatever precedes the first message we see was committed by someone else, or
            // never will be by us.
            self.committed = Some(offset);
        }
        self.pending.insert(offset);
        self.max_dispatched = Some(self.max_dispatched.map_or(offset, |m| m.max(offset)));
        Dispatch::Tracked
    }

    /// Records that every output of the message at `offset` is acknowledged. Returns false
    /// (and changes nothing) if the offset was not in flight.
    pub fn complete(&mut self, offset: i64) -> bool {
        self.pending.remove(&offset)
    }

    /// The contiguous watermark: the lowest in-flight offset, or one past the highest
    /// dispatched offset when nothing is in flight; `None` before the first dispatch.
    ///
    /// Every dispatched offset below the watermark is done.
    pub fn watermark(&self) -> Option<i64> {
        match self.pending.first() {
            Some(&lowest) => Some(lowest),
            None => self.max_dispatched.map(|m| m + 1),
        }
    }

    /// The offset to commit now, if committing would advance the group's position: the
    /// watermark when it is past the last committed offset.
    pub fn commit_candidate(&self) -> Option<i64> {
        let watermark = self.watermark()?;
        match self.committed {
            Some(committed) if watermark <= committed => None,
            _ => Some(watermark),
        }
    }

    /// Records that `offset` was committed successfully. Commits never move backwards.
    pub fn mark_committed(&mut self, offset: i64) {
        self.committed = Some(self.committed.map_or(offset, |c| c.max(offset)));
    }

    /// The last committed (or initial) offset, if any message was dispatched.
    pub fn committed(&self) -> Option<i64> {
        self.committed
    }

    /// Number of offsets in flight.
    pub fn in_flight(&self) -> usize {
        self.pending.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn empty_tracker_has_nothing_to_commit() {
        let t = OffsetTracker::new();
        assert_eq!(t.watermark(), None);
        assert_eq!(t.commit_candidate(), None);
        assert_eq!(t.in_flight(), 0);
    }

    #[test]
    fn in_order_completion_advances_the_watermark() {
        let mut t = OffsetTracker::new();
        for o in 10..15 {
            assert_eq!(t.dispatch(o), Dispatch::Tracked);
        }
        assert_eq!(t.watermark(), Some(10));
        assert_eq!(t.commit_candidate(), None, "nothing done yet");
        assert!(t.complete(10));
        assert_eq!(t.commit_candidate(), Some(11));
        assert!(t.complete(11));
        assert_eq!(t.commit_candidate(), Some(12));
    }

    #[test]
    fn out_of_order_completion_holds_the_watermark_at_the_first_unfinished() {
        let mut t = OffsetTracker::new();
        for o in 0..5 {
            t.dispatch(o);
        }
        assert!(t.complete(3));
        assert!(t.complete(4));
        assert!(t.complete(1));
        assert_eq!(t.watermark(), Some(0));
        assert_eq!(t.commit_candidate(), None);
        assert!(t.complete(0));
        assert_eq!(t.commit_candidate(), Some(2));
        assert!(t.complete(2));
        assert_eq!(t.commit_candidate(), Some(5));
    }

    #[test]
    fn gaps_in_offsets_are_fine() {
        let mut t = OffsetTracker::new();
        t.dispatch(5);
        t.dispatch(7);
        t.dispatch(20);
        t.complete(7);
        t.complete(5);
        assert_eq!(t.commit_candidate(), Some(20));
        t.complete(20);
        assert_eq!(t.commit_candidate(), Some(21));
    }

    #[test]
    fn commits_never_go_backwards_and_are_not_repeated() {
        let mut t = OffsetTracker::new();
        t.dispatch(0);
        t.complete(0);
        assert_eq!(t.commit_candidate(), Some(1));
        t.mark_committed(1);
        assert_eq!(t.commit_candidate(), None);
        t.mark_committed(0);
        assert_eq!(t.committed(), Some(1));
        t.dispatch(1);
        assert_eq!(t.commit_candidate(), None);
        t.complete(1);
        assert_eq!(t.commit_candidate(), Some(2));
    }

    #[test]
    fn redelivery_of_an_in_flight_offset_is_not_tracked_twice() {
        let mut t = OffsetTracker::new();
        assert_eq!(t.dispatch(3), Dispatch::Tracked);
        assert_eq!(t.dispatch(3), Dispatch::AlreadyInFlight);
        assert_eq!(t.in_flight(), 1);
        assert!(t.complete(3));
        assert!(!t.complete(3), "a second completion is a no-op");
        assert_eq!(t.commit_candidate(), Some(4));
    }

    #[test]
    fn a_rewind_pulls_the_watermark_back_until_the_old_offsets_finish() {
        let mut t = OffsetTracker::new();
        t.dispatch(10);
        t.complete(10);
        t.mark_committed(11);
        // Redelivery from an earlier position.
        assert_eq!(t.dispatch(8), Dispatch::Tracked);
        assert_eq!(t.watermark(), Some(8));
        assert_eq!(t.commit_candidate(), None, "never below what is committed");
        t.dispatch(9);
        t.dispatch(10);
        t.dispatch(11);
        t.complete(8);
        t.complete(9);
        t.complete(10);
        assert_eq!(t.commit_candidate(), None);
        t.complete(11);
        assert_eq!(t.commit_candidate(), Some(12));
    }

    #[test]
    fn a_late_first_message_does_not_let_earlier_ones_be_skipped() {
        // The first message seen is 50, then the partition delivers 40..50: the watermark must
        // wait for all of them.
        let mut t = OffsetTracker::new();
        t.dispatch(50);
        for o in 40..50 {
            t.dispatch(o);
        }
        t.complete(50);
        assert_eq!(t.commit_candidate(), None);
        for o in 40..50 {
            t.complete(o);
        }
        assert_eq!(t.commit_candidate(), Some(51));
    }

    /// One step of a random schedule.
    #[derive(Debug, Clone)]
    enum Op {
        /// Dispatch the next offset, skipping `gap` offsets first.
        Dispatch { gap: u8 },
        /// Redeliver an offset somewhere at or below the highest one (a rewind).
        Redeliver { back: u8 },
        /// Complete the in-flight offset at this index (modulo the count).
        Complete { pick: usize },
        /// Commit whatever the tracker offers.
        Commit,
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            4 => (0u8..3).prop_map(|gap| Op::Dispatch { gap }),
            1 => (0u8..6).prop_map(|back| Op::Redeliver { back }),
            4 => any::<usize>().prop_map(|pick| Op::Complete { pick }),
            2 => Just(Op::Commit),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Out-of-order completions never produce a watermark (or a commit) past an offset that
        /// is not done, commits never move backwards, and once everything is done the whole
        /// dispatched range is committable.
        #[test]
        fn watermark_never_passes_an_undone_offset(
            start in 0i64..1000,
            ops in proptest::collection::vec(op(), 0..200),
        ) {
            let mut t = OffsetTracker::new();
            let mut next = start;
            let mut max_seen: Option<i64> = None;
            // Model: offsets dispatched and not yet completed.
            let mut undone: Vec<i64> = Vec::new();
            let mut last_commit: Option<i64> = None;

            for op in ops {
                match op {
                    Op::Dispatch { gap } => {
                        next += i64::from(gap);
                        if t.dispatch(next) == Dispatch::Tracked {
                            undone.push(next);
                        }
                        max_seen = Some(max_seen.map_or(next, |m| m.max(next)));
                        next += 1;
                    }
                    Op::Redeliver { back } => {
                        if let Some(m) = max_seen {
                            let o = (m - i64::from(back)).max(start);
                            match t.dispatch(o) {
                                Dispatch::Tracked => {
                                    prop_assert!(!undone.contains(&o));
                                    undone.push(o);
                                }
                                Dispatch::AlreadyInFlight => prop_assert!(undone.contains(&o)),
                            }
                        }
                    }
                    Op::Complete { pick } => {
                        if !undone.is_empty() {
                            let o = undone.swap_remove(pick % undone.len());
                            prop_assert!(t.complete(o));
                        }
                    }
                    Op::Commit => {
                        if let Some(c) = t.commit_candidate() {
                            if let Some(prev) = last_commit {
                                prop_assert!(c > prev, "commit went from {} to {}", prev, c);
                            }
                            t.mark_committed(c);
                            last_commit = Some(c);
                        }
                    }
                }

                prop_assert_eq!(t.in_flight(), undone.len());
                if let Some(w) = t.watermark() {
                    for &o in &undone {
                        prop_assert!(w <= o, "watermark {} passes undone offset {}", w, o);
                    }
                }
                if let Some(c) = t.commit_candidate() {
                    for &o in &undone {
                        prop_assert!(c <= o, "commit candidate {} passes undone offset {}", c, o);
                    }
                    if let Some(prev) = last_commit {
                        prop_assert!(c > prev);
                    }
                }
            }

            // Drain: complete everything in a scrambled order; then all is committable.
            undone.reverse();
            for o in undone.drain(..) {
                prop_assert!(t.complete(o));
            }
            if let Some(m) = max_seen {
                prop_assert_eq!(t.watermark(), Some(m + 1));
                let expect = match last_commit {
                    Some(c) if c > m => None,
                    _ => Some(m + 1),
                };
                prop_assert_eq!(t.commit_candidate(), expect);
            }
        }
    }
}
