// The event_replay fuzzer's input format, shared with the seed generator
// (make_seeds.cpp). Records of { u8 tag, u16 LE length, length bytes }, the
// last possibly short. Each record is the next event (sequence 1, 2, ...)
// or a checkpoint:
//   tag < 0x80     an envelope around the bytes: service kEventServices[(tag & 0x3f) % N],
//                  account by bit 6; bytes = u8 n, operation[n], payload
//   0x80 .. 0xfd   the bytes are the whole serialized proto::Event
//   0xfe           a checkpoint at the current sequence: zstd(the bytes),
//                  the bytes being a StateSnapshot
//   0xff           a checkpoint of the raw bytes
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace podstack::fuzz {

inline constexpr const char* kEventServices[] = {"ssm", "secretsmanager", "s3",  "sqs",      "sns",
                                                 "dynamodb", "ses",       "sts", "podstack", "nosuch"};
inline constexpr size_t kEventServiceCount = sizeof(kEventServices) / sizeof(*kEventServices);
inline constexpr uint8_t kRawEvent = 0x80, kCheckpointZstd = 0xfe, kCheckpointRaw = 0xff;

inline void append_record(std::string& out, uint8_t tag, std::string_view bytes) {
  if (bytes.size() > 0xffff) bytes = bytes.substr(0, 0xffff);
  out += static_cast<char>(tag);
  out += static_cast<char>(bytes.size() & 0xff);
  out += static_cast<char>(bytes.size() >> 8);
  out.append(bytes);
}

// An envelope record; false when the service has no tag.
inline bool append_envelope(std::string& out, std::string_view service, bool other_account, std::string_view operation,
                            std::string_view payload) {
  for (size_t i = 0; i < kEventServiceCount; ++i) {
    if (service != kEventServices[i]) continue;
    if (operation.size() > 0xff) operation = operation.substr(0, 0xff);
    std::string bytes(1, static_cast<char>(operation.size()));
    bytes.append(operation);
    bytes.append(payload);
    append_record(out, static_cast<uint8_t>(i | (other_account ? 0x40 : 0)), bytes);
    return true;
  }
  return false;
}

}  // namespace podstack::fuzz
