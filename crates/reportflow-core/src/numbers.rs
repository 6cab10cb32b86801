//! Numbers as written in Chinese reports. PLACEHOLDER: being written.
