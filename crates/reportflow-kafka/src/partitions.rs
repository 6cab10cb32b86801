//! The table of assigned partitions: one [`OffsetTracker`] per partition, tagged with an
//! assignment epoch.
//!
//! Each assignment of a partition gets a fresh epoch. Work dispatched under an epoch completes
//! against that epoch only, so a message whose partition was revoked (and maybe re-assigned)
//! while it was in flight cannot mark an offset done in the new assignment: its completion is
//! simply ignored, and the message will be redelivered from the committed offset.
//!
//! The table is pure bookkeeping (no Kafka calls); the runtime wraps it in a mutex.

use std::collections::HashMap;

use crate::offsets::{Dispatch, OffsetTracker};

/// A topic-partition.
pub(crate) type TopicPartition = (String, i32);

/// What happened to a consumed message's offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dispatched {
    /// Tracked under this epoch: process it.
    Tracked(u64),
    /// The same offset is already in flight: skip it.
    AlreadyInFlight,
    /// The partition is not (or no longer) assigned: skip it.
    NotAssigned,
}

/// A revoked partition's last state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Revoked {
    /// Offset that can still be committed for it, if it advanced.
    pub commit: Option<i64>,
    /// Messages of it still in flight, now abandoned.
    pub abandoned: usize,
}

#[derive(Debug)]
struct Entry {
    epoch: u64,
    tracker: OffsetTracker,
}

/// The assigned partitions and their trackers.
#[derive(Debug, Default)]
pub(crate) struct PartitionTable {
    next_epoch: u64,
    entries: HashMap<TopicPartition, Entry>,
}

impl PartitionTable {
    /// Starts tracking a newly assigned partition. Re-assigning a partition that is still
    /// assigned keeps its state.
    pub fn assign(&mut self, topic: &str, partition: i32) -> u64 {
        let next = &mut self.next_epoch;
        self.entries
            .entry((topic.to_string(), partition))
            .or_insert_with(|| {
                *next += 1;
                Entry {
                    epoch: *next,
                    tracker: OffsetTracker::new(),
                }
            })
            .epoch
    }

    /// Stops tracking a revoked partition; returns what can still be committed for it.
    pub fn revoke(&mut self, topic: &str, partition: i32) -> Option<Revoked> {
        let entry = self.entries.remove(&(topic.to_string(), partition))?;
        Some(Revoked {
            commit: entry.tracker.commit_candidate(),
            abandoned: entry.tracker.in_flight(),
        })
    }

    /// Records a consumed message.
    pub fn dispatch(&mut self, topic: &str, partition: i32, offset: i64) -> Dispatched {
        match self.entries.get_mut(&(topic.to_string(), partition)) {
            None => Dispatched::NotAssigned,
            Some(entry) => match entry.tracker.dispatch(offset) {
                Dispatch::Tracked => Dispatched::Tracked(entry.epoch),
                Dispatch::AlreadyInFlight => Dispatched::AlreadyInFlight,
            },
        }
    }

    /// Records that a message dispatched under `epoch` is fully acknowledged. Returns false if
    /// the partition was revoked since (the completion is ignored).
    pub fn complete(&mut self, topic: &str, partition: i32, epoch: u64, offset: i64) -> bool {
        match self.entries.get_mut(&(topic.to_string(), partition)) {
            Some(entry) if entry.epoch == epoch => entry.tracker.complete(offset),
            _ => false,
        }
    }

    /// Every assigned partition whose safe offset advanced since its last commit.
    pub fn commit_candidates(&self) -> Vec<(TopicPartition, i64)> {
        let mut out: Vec<_> = self
            .entries
            .iter()
            .filter_map(|(tp, e)| e.tracker.commit_candidate().map(|c| (tp.clone(), c)))
            .collect();
        out.sort();
        out
    }

    /// Records a successful commit.
    pub fn mark_committed(&mut self, topic: &str, partition: i32, offset: i64) {
        if let Some(entry) = self.entries.get_mut(&(topic.to_string(), partition)) {
            entry.tracker.mark_committed(offset);
        }
    }

    /// The epoch of a partition's current assignment, if it is assigned.
    pub fn epoch(&self, topic: &str, partition: i32) -> Option<u64> {
        self.entries
            .get(&(topic.to_string(), partition))
            .map(|e| e.epoch)
    }

    /// Number of assigned partitions.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// The assigned partitions.
    pub fn partitions(&self) -> Vec<TopicPartition> {
        let mut v: Vec<_> = self.entries.keys().cloned().collect();
        v.sort();
        v
    }

    /// Messages in flight across all assigned partitions.
    pub fn in_flight(&self) -> usize {
        self.entries.values().map(|e| e.tracker.in_flight()).sum()
    }

    /// Messages in flight in these partitions (unassigned ones count zero).
    pub fn in_flight_of(&self, partitions: &[TopicPartition]) -> usize {
        partitions
            .iter()
            .filter_map(|tp| self.entries.get(tp))
            .map(|e| e.tracker.in_flight())
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completions_from_a_previous_assignment_are_ignored() {
        let mut t = PartitionTable::default();
        let e1 = t.assign("in", 0);
        assert_eq!(t.dispatch("in", 0, 5), Dispatched::Tracked(e1));
        let revoked = t.revoke("in", 0).unwrap();
        assert_eq!(
            revoked,
            Revoked {
                commit: None,
                abandoned: 1
            }
        );
        let e2 = t.assign("in", 0);
        assert_ne!(e1, e2);
        assert_eq!(t.dispatch("in", 0, 3), Dispatched::Tracked(e2));
        assert!(!t.complete("in", 0, e1, 5), "stale epoch");
        assert!(!t.complete("in", 0, e1, 3), "stale epoch");
        assert!(t.commit_candidates().is_empty());
        assert!(t.complete("in", 0, e2, 3));
        assert_eq!(t.commit_candidates(), vec![(("in".to_string(), 0), 4)]);
    }

    #[test]
    fn unassigned_partitions_are_not_tracked() {
        let mut t = PartitionTable::default();
        assert_eq!(t.dispatch("in", 1, 0), Dispatched::NotAssigned);
        t.assign("in", 1);
        assert_eq!(t.len(), 1);
        assert!(t.revoke("in", 2).is_none());
    }

    #[test]
    fn reassigning_an_assigned_partition_keeps_its_state() {
        let mut t = PartitionTable::default();
        let e = t.assign("in", 0);
        t.dispatch("in", 0, 0);
        assert_eq!(t.assign("in", 0), e);
        assert_eq!(t.in_flight(), 1);
        assert_eq!(t.in_flight_of(&[("in".to_string(), 0)]), 1);
        assert_eq!(t.in_flight_of(&[("in".to_string(), 1)]), 0);
    }

    #[test]
    fn commit_candidates_and_marking() {
        let mut t = PartitionTable::default();
        let a = t.assign("in", 0);
        let b = t.assign("in", 1);
        t.dispatch("in", 0, 10);
        t.dispatch("in", 1, 20);
        t.dispatch("in", 1, 21);
        t.complete("in", 0, a, 10);
        t.complete("in", 1, b, 21);
        assert_eq!(t.commit_candidates(), vec![(("in".to_string(), 0), 11)]);
        t.mark_committed("in", 0, 11);
        assert!(t.commit_candidates().is_empty());
        t.complete("in", 1, b, 20);
        assert_eq!(t.commit_candidates(), vec![(("in".to_string(), 1), 22)]);
        assert_eq!(
            t.revoke("in", 1),
            Some(Revoked {
                commit: Some(22),
                abandoned: 0
            })
        );
    }
}
