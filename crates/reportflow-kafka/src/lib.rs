//! The consume → process → produce runtime loop.
