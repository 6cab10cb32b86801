//! Bytes → text: decides the text encoding of a raw report and decodes it.
//!
//! Reports reach the pipeline as bytes in whatever encoding the publisher's office software
//! wrote: UTF-8 (with or without a byte order mark), GBK / GB18030, Big5 for Traditional
//! characters, and now and then BOM-less UTF-16 from a Windows export. Sometimes a transport
//! header (a Kafka `charset` header) names the encoding, and sometimes that header lies.
//!
//! # Order of the checks
//!
//! The checks run from the most certain evidence to the least certain one:
//!
//! 1. **Byte order mark.** A UTF-8, UTF-16LE or UTF-16BE BOM is an explicit declaration
//!    written by the producer of the file, as in the WHATWG decode algorithm; it is stripped.
//! 2. **Charset hint.** A hint that [`Encoding::for_label`] knows is used when it decodes the
//!    whole input without a single malformed sequence. Decoding cleanly is necessary but
//!    not always sufficient, because some encodings accept almost any bytes, so a hint must
//!    also not contradict stronger evidence:
//!    * a UTF-16 hint must pass the same plausibility score as step 4 (UTF-16 decodes most
//!      even-length byte strings without error);
//!    * a legacy (non-Unicode) hint loses against bytes that are valid UTF-8 with several
//!      multi-byte sequences, which legacy-encoded text practically never is;
//!    * a single-byte hint (`latin1`, `windows-1252`, ...: these decode *every* byte string
//!      cleanly) on non-ASCII input loses when the detector picks a multi-byte encoding that
//!      also decodes the input cleanly: a default `ISO-8859-1` header on a GBK report is the
//!      classic lie.
//!
//!    A hint that is unknown or fails these tests is ignored: a lying header never wins
//!    over clean detection.
//! 3. **Strict UTF-8.** Valid UTF-8 of any length is almost never legacy-encoded text, and
//!    most reports are UTF-8, so this is both the most likely and the cheapest answer. The one
//!    exception: valid UTF-8 that contains NUL bytes and reads as UTF-16 (BOM-less UTF-16 of
//!    ASCII-heavy text is valid UTF-8) goes to step 4.
//! 4. **UTF-16 without BOM.** The statistical detector never guesses UTF-16, so it is sniffed
//!    here: both byte orders are scored by the share of code units that are common text
//!    characters (ASCII, CJK Unified Ideographs, CJK and full-width punctuation, ...) against
//!    the share of impossible ones (unpaired surrogates, control characters, noncharacters).
//!    The zero-byte test alone does not work for Chinese, which has few zero bytes in
//!    UTF-16; the character-class score does: on the seed reports the right byte order scores
//!    over 99 % and the wrong one about 26 %. Because ASCII text read as UTF-16 looks like
//!    CJK ideographs ("Bush hid the facts"), input where most code units consist of two
//!    printable ASCII bytes is not taken as UTF-16.
//! 5. **Statistical detection.** [chardetng] guesses among the legacy encodings (GBK, Big5,
//!    Shift_JIS, EUC-KR, windows-125x, ...) and the whole input is then decoded with the guess.
//!    chardetng rules an encoding out at its first malformed sequence, so one corrupt byte
//!    in a GBK report can make it answer windows-1252 (which decodes anything, into
//!    gibberish). When the guess is a single-byte encoding or leaves malformed sequences, a
//!    fresh detector is asked about each ~4 KiB chunk of a wider window ([`VOTE_WINDOW`])
//!    and the multi-byte encoding most chunks agree on replaces the guess if it decodes
//!    better: the corrupt chunk is outvoted by the clean ones.
//!
//! # Bounded prefix
//!
//! chardetng costs far more per byte than decoding: it runs some 27 candidate decoders byte
//! by byte, at 2–7 MB/s, against hundreds of MB/s for decoding GBK itself, so on a legacy
//! report it is nearly all of the cost of this module. Its guess settles after a few
//! kilobytes of non-ASCII text (on windows of the seed reports in GBK and Big5 taken at 186
//! positions it was right every time from 1 KiB on), so it is fed at most
//! [`DETECTION_WINDOW`] bytes, starting at the first non-ASCII byte (a long ASCII preamble
//! would otherwise fill the window with bytes that tell nothing), 512 bytes at a time, and
//! it stops as soon as two guesses in a row agree on a multi-byte legacy encoding (1 KiB for
//! a clean GBK or Big5 report, a quarter of the cost of the whole window; the guess taken
//! has always seen at least 1 KiB, or the whole window). The window is always fed
//! with `last = false`: a multi-byte character cut at the window's end, or at the end of a
//! truncated message, must not rule out the right encoding (the decoder still counts a
//! truncated final character as one malformed sequence). The UTF-16 score reads the same
//! bounded prefix. Decoding itself always covers the whole input.
//!
//! # Malformed sequences
//!
//! Decoding never fails: each malformed byte sequence becomes one U+FFFD. The decoder is run
//! without replacement and each malformed sequence it reports is counted and replaced here, so
//! [`EncodingInfo::replacement_count`] is exact even when the input legitimately encodes
//! U+FFFD. Nothing in this module indexes out of bounds or unwraps input-dependent values:
//! any byte string decodes.

use std::borrow::Cow;

use chardetng::{EncodingDetector, Iso2022JpDetection, Utf8Detection};
use encoding_rs::{Decoder, DecoderResult, Encoding, REPLACEMENT, UTF_16BE, UTF_16LE, UTF_8};

use crate::model::{DetectionMethod, EncodingInfo};
use utf16::{sniff_utf16, Utf16Score};

mod utf16;

/// Upper bound, in bytes, on the input the statistical detector and the UTF-16 score read.
///
/// 4 KiB (some 2,000 hanzi in GBK) is more than chardetng needs to settle on every window
/// of the seeds in GBK and Big5 from 1 KiB up, and it bounds the detector's cost per
/// document (chardetng runs at a few MB/s here) to about a millisecond, whatever the
/// document's size. The corruption vote below still reads a wider window when in doubt.
pub const DETECTION_WINDOW: usize = 4 * 1024;

/// The detector is fed the window this many bytes at a time (see [`detect`]): its guesses
/// on the seeds were right at every position from 1 KiB on, and the first guess that can
/// be taken is the second one, so it has seen 1 KiB (or the whole window).
const DETECTION_STEP: usize = 512;

/// Upper bound, in bytes, on the input the chunk-wise vote reads (see [`detect_by_vote`]).
///
/// Wider than [`DETECTION_WINDOW`] so that the clean chunks outnumber corrupt ones; the vote
/// only runs when the first guess is doubtful.
pub const VOTE_WINDOW: usize = 64 * 1024;

/// A legacy-encoding hint loses against valid UTF-8 with at least this many multi-byte
/// sequences. Below it, short legacy text can be valid UTF-8 by chance (GBK `学习` is
/// `D1 A7 CF B0`, valid UTF-8 for `ѧϰ`), so the hint decides.
const UTF8_OVERRIDES_HINT_MIN_SEQUENCES: usize = 8;

/// Fewest code units the UTF-16 sniff needs when the input has no NUL byte: a single code
/// unit is as likely a two-byte legacy character.
const UTF16_MIN_UNITS_WITHOUT_NUL: usize = 2;

/// Decoded text and how it was decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The decoded text, malformed sequences replaced by U+FFFD, without a byte order mark.
    pub text: String,
    /// Encoding, method and replacement count.
    pub info: EncodingInfo,
}

/// Decodes raw bytes to text, deciding the encoding as described in the
/// [module documentation](self): BOM, then a clean charset hint, then strict UTF-8, then
/// BOM-less UTF-16, then chardetng.
///
/// `charset_hint` is a charset label such as a Kafka `charset` header (`"gbk"`, `"GB2312"`,
/// `"utf-8"`); WHATWG labels are recognised case-insensitively, surrounding whitespace and
/// quotes ignored. An unknown, unclean or implausible hint is ignored.
///
/// Never panics and never fails: undecodable bytes become U+FFFD and are counted in
/// [`EncodingInfo::replacement_count`]. Empty input decodes to empty text as UTF-8.
pub fn decode(raw: &[u8], charset_hint: Option<&str>) -> Decoded {
    let (text, info) = decode_cow(raw, charset_hint);
    Decoded {
        text: text.into_owned(),
        info,
    }
}

/// [`decode`], borrowing the text from `raw` when it is UTF-8 without a BOM (most reports):
/// the normalizer reads the text once and has no use for a copy of it.
pub(crate) fn decode_cow<'a>(
    raw: &'a [u8],
    charset_hint: Option<&str>,
) -> (Cow<'a, str>, EncodingInfo) {
    let owned = |decoded: Decoded| (Cow::Owned(decoded.text), decoded.info);
    if let Some((encoding, bom_length)) = Encoding::for_bom(raw) {
        let body = raw.get(bom_length..).unwrap_or_default();
        return owned(decode_with(encoding, body, DetectionMethod::Bom));
    }

    if let Some(decoded) = charset_hint.and_then(|label| decode_with_hint(raw, label)) {
        return owned(decoded);
    }

    if let Some(text) = as_utf8(raw) {
        if raw.contains(&0) {
            if let Some(encoding) = sniff_utf16(raw) {
                return owned(decode_with(encoding, raw, DetectionMethod::Utf16Heuristic));
            }
        }
        return (Cow::Borrowed(text), info(UTF_8, DetectionMethod::Utf8, 0));
    }

    if let Some(encoding) = sniff_utf16(raw) {
        return owned(decode_with(encoding, raw, DetectionMethod::Utf16Heuristic));
    }

    owned(decode_detected(raw))
}

/// `raw` as text when it is valid UTF-8. encoding_rs validates the same rules as
/// [`std::str::from_utf8`] (no overlong forms, surrogates or code points past U+10FFFF), but
/// about ten times faster on CJK text, where the standard library checks character by
/// character.
fn as_utf8(raw: &[u8]) -> Option<&str> {
    match UTF_8.decode_without_bom_handling_and_without_replacement(raw)? {
        Cow::Borrowed(text) => Some(text),
        // encoding_rs always borrows valid UTF-8; should that change, ask the standard
        // library rather than copy.
        Cow::Owned(_) => std::str::from_utf8(raw).ok(),
    }
}

fn info(
    encoding: &'static Encoding,
    method: DetectionMethod,
    replacement_count: u32,
) -> EncodingInfo {
    EncodingInfo {
        encoding: encoding.name(),
        method,
        replacement_count,
    }
}

/// Decodes all of `bytes` with `encoding` (no BOM sniffing), counting malformed sequences.
fn decode_with(encoding: &'static Encoding, bytes: &[u8], method: DetectionMethod) -> Decoded {
    let (text, replacement_count) = decode_counting(encoding, bytes);
    Decoded {
        text,
        info: info(encoding, method, replacement_count),
    }
}

/// Decodes with replacement, returning the text and the exact number of malformed sequences.
fn decode_counting(encoding: &'static Encoding, bytes: &[u8]) -> (String, u32) {
    if encoding == UTF_8 {
        if let Some(text) = as_utf8(bytes) {
            return (text.to_owned(), 0);
        }
    }
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let mut text = String::with_capacity(output_capacity(&decoder, bytes.len()));
    let mut rest = bytes;
    let mut malformed: u32 = 0;
    loop {
        let (result, read) = decoder.decode_to_string_without_replacement(rest, &mut text, true);
        rest = rest.get(read..).unwrap_or_default();
        match result {
            DecoderResult::InputEmpty => break,
            DecoderResult::OutputFull => {
                let needed = output_capacity(&decoder, rest.len());
                text.reserve(needed.max(16));
            }
            DecoderResult::Malformed(_, _) => {
                text.push(char::REPLACEMENT_CHARACTER);
                malformed = malformed.saturating_add(1);
            }
        }
    }
    (text, malformed)
}

fn output_capacity(decoder: &Decoder, input_length: usize) -> usize {
    decoder
        .max_utf8_buffer_length_without_replacement(input_length)
        .unwrap_or_else(|| input_length.saturating_mul(3))
}

/// Decodes all of `bytes`, or `None` at the first malformed sequence.
fn decode_strict<'a>(encoding: &'static Encoding, bytes: &'a [u8]) -> Option<Cow<'a, str>> {
    if encoding == UTF_8 {
        return as_utf8(bytes).map(Cow::Borrowed);
    }
    encoding.decode_without_bom_handling_and_without_replacement(bytes)
}

/// Step 2: the hint's decoding, when the hint is known, decodes cleanly and contradicts no
/// stronger evidence.
fn decode_with_hint(raw: &[u8], label: &str) -> Option<Decoded> {
    let label = label.trim_matches(|c: char| c.is_whitespace() || c == '"' || c == '\'');
    let encoding = Encoding::for_label(label.as_bytes())?;
    if encoding == REPLACEMENT {
        // Labels such as `iso-2022-kr` or `hz-gb-2312` map to the replacement encoding,
        // which decodes nothing.
        return None;
    }
    if encoding == UTF_16LE || encoding == UTF_16BE {
        Utf16Score::plausible(raw, encoding == UTF_16BE, 1)?;
    } else if encoding != UTF_8 {
        if is_multibyte_utf8(raw) {
            return None;
        }
        if encoding.is_single_byte() && Encoding::ascii_valid_up_to(raw) < raw.len() {
            let guess = detect(raw);
            if !guess.is_single_byte() && guess != UTF_8 && decode_strict(guess, raw).is_some() {
                return None;
            }
        }
    }
    let text = decode_strict(encoding, raw)?.into_owned();
    Some(Decoded {
        text,
        info: info(encoding, DetectionMethod::HeaderHint, 0),
    })
}

/// Valid UTF-8 with at least [`UTF8_OVERRIDES_HINT_MIN_SEQUENCES`] multi-byte sequences.
fn is_multibyte_utf8(raw: &[u8]) -> bool {
    as_utf8(raw).is_some()
        && raw.iter().filter(|&&b| b >= 0xC0).count() >= UTF8_OVERRIDES_HINT_MIN_SEQUENCES
}

/// Step 5: decodes with chardetng's guess; when that guess is a single-byte encoding or
/// leaves malformed sequences, a chunk-wise vote may overrule it (see [`detect_by_vote`]).
fn decode_detected(raw: &[u8]) -> Decoded {
    let guess = detect(raw);
    let decoded = decode_with(guess, raw, DetectionMethod::Detector);
    if decoded.info.replacement_count == 0 && !guess.is_single_byte() {
        return decoded;
    }
    let Some(voted) = detect_by_vote(raw) else {
        return decoded;
    };
    if voted == guess || voted.is_single_byte() {
        return decoded;
    }
    let alternative = decode_with(voted, raw, DetectionMethod::Detector);
    let alternative_errors = alternative.info.replacement_count as usize;
    let better = if guess.is_single_byte() {
        // A single-byte guess decodes anything cleanly; take the multi-byte vote when it
        // decodes nearly cleanly (under 1 % malformed sequences).
        alternative_errors.saturating_mul(100) <= alternative.text.chars().count()
    } else {
        alternative.info.replacement_count < decoded.info.replacement_count
    };
    if better {
        alternative
    } else {
        decoded
    }
}

/// At most `length` bytes of `raw` from its first non-ASCII byte.
fn detection_window(raw: &[u8], length: usize) -> &[u8] {
    let start = Encoding::ascii_valid_up_to(raw);
    let end = start.saturating_add(length).min(raw.len());
    raw.get(start..end).unwrap_or_default()
}

/// chardetng's guess over the detection window.
///
/// The window is fed with `last = false` even when it reaches the end of the input: a
/// multi-byte character cut off at the end (a truncated message) would otherwise disqualify
/// the right encoding, while the decoder reports it as one malformed sequence anyway.
///
/// The window is fed in steps of [`DETECTION_STEP`] and the detector stops early once two
/// consecutive guesses agree on a multi-byte legacy encoding: a clean GBK or Big5 report is
/// then settled after 1 KiB, a quarter of the detector's cost over the whole window. Single-byte guesses (the doubtful
/// ones: they decode anything) and disagreements read on to the whole window.
fn detect(raw: &[u8]) -> &'static Encoding {
    let window = detection_window(raw, DETECTION_WINDOW);
    let mut detector = EncodingDetector::new(Iso2022JpDetection::Deny);
    let mut previous: Option<&'static Encoding> = None;
    let mut fed = 0;
    while fed < window.len() {
        let end = fed.saturating_add(DETECTION_STEP).min(window.len());
        detector.feed(window.get(fed..end).unwrap_or_default(), false);
        fed = end;
        let guess = detector.guess(None, Utf8Detection::Allow);
        if previous == Some(guess) && !guess.is_single_byte() && guess != UTF_8 {
            return guess;
        }
        previous = Some(guess);
    }
    // The last guess saw the whole window; an empty window was never guessed on.
    previous.unwrap_or_else(|| detector.guess(None, Utf8Detection::Allow))
}

fn guess_chunk(bytes: &[u8]) -> &'static Encoding {
    let mut detector = EncodingDetector::new(Iso2022JpDetection::Deny);
    detector.feed(bytes, false);
    detector.guess(None, Utf8Detection::Allow)
}

/// Bytes per chunk of [`detect_by_vote`], at least.
const VOTE_CHUNK: usize = 4 * 1024;

/// chardetng disqualifies an encoding at its first malformed sequence, so a single corrupt
/// byte in a GBK report can make it answer windows-1252. This asks a fresh detector about
/// each chunk of about [`VOTE_CHUNK`] bytes of the [`VOTE_WINDOW`] and returns the encoding
/// guessed for the most non-ASCII bytes (the first one on a tie): the corrupt chunk loses
/// the vote to the clean ones. Chunks end just after a byte below 0x30, which is never part
/// of a multi-byte character in UTF-8, GBK, GB18030, Big5, Shift_JIS or EUC-*.
fn detect_by_vote(raw: &[u8]) -> Option<&'static Encoding> {
    let mut votes: Vec<(&'static Encoding, usize)> = Vec::new();
    let mut rest = detection_window(raw, VOTE_WINDOW);
    while !rest.is_empty() {
        let cut = chunk_end(rest, VOTE_CHUNK);
        let chunk = rest.get(..cut).unwrap_or(rest);
        rest = rest.get(cut..).unwrap_or_default();
        let non_ascii = chunk.iter().filter(|b| !b.is_ascii()).count();
        if non_ascii == 0 {
            continue;
        }
        let guess = guess_chunk(chunk);
        match votes.iter_mut().find(|(encoding, _)| *encoding == guess) {
            Some((_, weight)) => *weight += non_ascii,
            None => votes.push((guess, non_ascii)),
        }
    }
    votes
        .into_iter()
        .fold(
            None,
            |best: Option<(&'static Encoding, usize)>, (encoding, weight)| match best {
                Some((_, best_weight)) if best_weight >= weight => best,
                _ => Some((encoding, weight)),
            },
        )
        .map(|(encoding, _)| encoding)
}

/// Length of the next chunk of `bytes`: at least `min_length` (or all of `bytes`), ending
/// just after the next byte below 0x30.
fn chunk_end(bytes: &[u8], min_length: usize) -> usize {
    if bytes.len() <= min_length {
        return bytes.len();
    }
    bytes
        .get(min_length..)
        .and_then(|tail| tail.iter().position(|&b| b < 0x30))
        .map_or(bytes.len(), |position| min_length + position + 1)
}

#[cfg(test)]
mod tests;
