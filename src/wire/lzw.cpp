// LZW as Go's compress/lzw speaks it with order LSB and literal width 8 (gossip-wire.md §5.3),
// the algorithm behind memberlist's compress message.
//
// Byte format: a sequence of variable-width codes packed least-significant-bit first, the last
// byte zero-padded. Codes 0..255 are literals, 256 = clear, 257 = end of data, 258.. dictionary
// entries. Width starts at 9 bits and grows by one (up to 12) once the next code to assign
// reaches 1 << width. The encoder starts with a clear code (Go >= 1.17; older encoders did not,
// the decoder accepts both) and emits clear + resets when its next code would be 4095.
//
// The encoder mirrors Go's writer step by step (the same points at which codes are
// emitted and the table reset), so its output is byte-identical to what Serf agents send.
#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "wire/codec.h"
#include "wire/limits.h"

namespace wire {

namespace {

constexpr std::uint32_t lit_width = 8;
constexpr std::uint32_t clear_code = 1u << lit_width;  // 256
constexpr std::uint32_t eof_code = clear_code + 1;      // 257
constexpr std::uint32_t width_max = 12;
constexpr std::uint32_t code_max = (1u << width_max) - 1;  // 4095
constexpr std::uint32_t table_bits_max = width_max + 2;    // 16384 slots, Go's table size
constexpr std::uint32_t empty_entry = 0;

// The dictionary: an open-addressing hash table (key = prefix code << 8 | byte -> entry =
// key << 12 | code), one per call. Go's is 64 KiB, cleared per writer; a datagram creates only
// a few hundred entries, so this one is sized to the input (load <= 1/4, as Go's at its fullest)
// and hashed multiplicatively (Go's hash keeps only the low bits of the code in a small table).
// Where entries sit does not change the output: lookups compare whole keys.
class Table {
 public:
  explicit Table(std::size_t plain_bytes) {
    std::uint32_t bits = 8;
    while (bits < table_bits_max && (std::size_t{1} << bits) < 4 * plain_bytes) ++bits;
    entries_.assign(std::size_t{1} << bits, empty_entry);
    shift_ = 32 - bits;
    mask_ = (1u << bits) - 1;
  }
  void reset() { std::fill(entries_.begin(), entries_.end(), empty_entry); }
  [[nodiscard]] std::uint32_t slot(std::uint32_t key) const { return key * 0x9e3779b1u >> shift_; }
  [[nodiscard]] std::uint32_t next(std::uint32_t h) const { return (h + 1) & mask_; }
  [[nodiscard]] std::uint32_t at(std::uint32_t h) const { return entries_[h]; }
  void set(std::uint32_t h, std::uint32_t entry) { entries_[h] = entry; }

 private:
  std::vector<std::uint32_t> entries_;
  std::uint32_t shift_ = 0;
  std::uint32_t mask_ = 0;
};

class Encoder {
 public:
  Encoder(util::Bytes& out, Table& table) : out_(out), table_(table) {}

  void run(util::ByteView plain) {
    put(clear_code);
    if (plain.empty()) {
      put(eof_code);
      flush();
      return;
    }
    std::uint32_t code = plain[0];
    for (std::size_t i = 1; i < plain.size(); ++i) {
      const std::uint32_t literal = plain[i];
      const std::uint32_t key = code << 8 | literal;
      std::uint32_t hash = table_.slot(key);
      if (auto hit = find(key, hash)) {
        code = hit;
        continue;
      }
      put(code);
      code = literal;
      if (inc_hi()) continue;  // table was reset: nothing to insert
      while (table_.at(hash) != empty_entry) hash = table_.next(hash);
      table_.set(hash, key << 12 | hi_);
    }
    put(code);
    inc_hi();
    put(eof_code);
    flush();
  }

 private:
  // The code stored for `key`, or 0 (no code is 0 as an entry value: entries are >= 258).
  std::uint32_t find(std::uint32_t key, std::uint32_t hash) const {
    for (std::uint32_t h = hash, t = table_.at(h); t != empty_entry;
         h = table_.next(h), t = table_.at(h)) {
      if (key == t >> 12) return t & code_max;
    }
    return 0;
  }

  // Advances the next-code counter; on running out of codes emits clear and resets (true).
  bool inc_hi() {
    ++hi_;
    if (hi_ == overflow_) {
      ++width_;
      overflow_ <<= 1;
    }
    if (hi_ == code_max) {
      put(clear_code);
      width_ = lit_width + 1;
      hi_ = eof_code;
      overflow_ = clear_code << 1;
      table_.reset();
      return true;
    }
    return false;
  }

  void put(std::uint32_t code) {
    bits_ |= code << n_bits_;
    n_bits_ += width_;
    while (n_bits_ >= 8) {
      out_.push_back(static_cast<std::uint8_t>(bits_));
      bits_ >>= 8;
      n_bits_ -= 8;
    }
  }

  void flush() {
    if (n_bits_ > 0) out_.push_back(static_cast<std::uint8_t>(bits_));
  }

  util::Bytes& out_;
  Table& table_;
  std::uint32_t width_ = lit_width + 1;
  std::uint32_t hi_ = eof_code;
  std::uint32_t overflow_ = clear_code << 1;
  std::uint32_t bits_ = 0;
  std::uint32_t n_bits_ = 0;
};

class Decoder {
 public:
  Decoder(util::ByteView in, std::size_t max_bytes) : in_(in), max_(max_bytes) {}

  util::Result<util::Bytes> run() {
    util::Bytes out;
    out.reserve(std::min(max_, in_.size() * 3));
    for (;;) {
      std::uint32_t code = 0;
      if (!get(code)) return util::Error{util::Errc::truncated, "lzw: no end-of-data code"};
      if (code == clear_code) {
        width_ = lit_width + 1;
        hi_ = eof_code;
        overflow_ = 1u << width_;
        last_ = invalid;
        continue;
      }
      if (code == eof_code) return out;
      if (code > hi_) return util::Error{util::Errc::malformed, "lzw: invalid code"};
      const std::size_t n = expand(code);
      if (out.size() + n > max_) return util::Error{util::Errc::too_large, "lzw: output too big"};
      out.insert(out.end(), scratch_.end() - static_cast<std::ptrdiff_t>(n), scratch_.end());
      last_ = code;
      ++hi_;
      if (hi_ >= overflow_) {
        if (width_ == width_max) {  // table full: stop adding entries until a clear code
          last_ = invalid;
          --hi_;
        } else {
          ++width_;
          overflow_ <<= 1;
        }
      }
    }
  }

 private:
  static constexpr std::uint32_t invalid = 0xffff;

  // Writes the string of `code` right-aligned into scratch_, records the new dictionary entry
  // (previous string + first byte of this one) and returns the string's length.
  std::size_t expand(std::uint32_t code) {
    std::size_t i = scratch_.size();
    std::uint32_t c = code;
    if (code >= clear_code && code == hi_ && last_ != invalid) {
      // The code being defined right now (the KwKwK case): last string + its own first byte.
      c = last_;
      while (c >= clear_code) c = prefix_[c];
      scratch_[--i] = static_cast<std::uint8_t>(c);
      c = last_;
    }
    // code == hi_ with no previous code only happens with a full table, where entry hi_ exists.
    while (c >= clear_code) {
      scratch_[--i] = suffix_[c];
      c = prefix_[c];
    }
    scratch_[--i] = static_cast<std::uint8_t>(c);
    if (last_ != invalid) {
      suffix_[hi_] = static_cast<std::uint8_t>(c);
      prefix_[hi_] = static_cast<std::uint16_t>(last_);
    }
    return scratch_.size() - i;
  }

  bool get(std::uint32_t& code) {
    while (n_bits_ < width_) {
      if (pos_ == in_.size()) return false;
      bits_ |= static_cast<std::uint32_t>(in_[pos_++]) << n_bits_;
      n_bits_ += 8;
    }
    code = bits_ & ((1u << width_) - 1);
    bits_ >>= width_;
    n_bits_ -= width_;
    return true;
  }

  util::ByteView in_;
  std::size_t max_;
  std::size_t pos_ = 0;
  std::uint32_t bits_ = 0, n_bits_ = 0;
  std::uint32_t width_ = lit_width + 1;
  std::uint32_t hi_ = eof_code;
  std::uint32_t overflow_ = 1u << (lit_width + 1);
  std::uint32_t last_ = invalid;
  // Not zeroed: an entry is always written before a code can refer to it.
  std::array<std::uint8_t, 1u << width_max> suffix_;
  std::array<std::uint16_t, 1u << width_max> prefix_;
  std::array<std::uint8_t, (1u << width_max) + 1> scratch_;
};

}  // namespace

util::Bytes lzw_compress(util::ByteView plain) {
  util::Bytes out;
  out.reserve(plain.size() / 2 + 16);
  Table table(plain.size());
  Encoder(out, table).run(plain);
  return out;
}

util::Result<util::Bytes> lzw_decompress(util::ByteView compressed, std::size_t max_bytes) {
  auto dec = std::make_unique<Decoder>(compressed, max_bytes);
  return dec->run();
}

util::Result<util::Bytes> lzw_decompress(util::ByteView compressed) {
  return lzw_decompress(compressed, limits::decompressed_bytes_max);
}

}  // namespace wire
