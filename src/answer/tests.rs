//! Unit tests of the answers.
