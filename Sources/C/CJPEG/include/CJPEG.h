// Decoding JPEG with libjpeg(-turbo). libjpeg reports errors by calling error_exit, which must not return, so
// this helper owns the setjmp that error_exit jumps back to and turns every error into a message.
#pragma once
#include <stddef.h>
#include <stdint.h>

/// Decodes a JPEG held in memory to 8-bit RGB (grayscale is replicated to RGB; CMYK and YCCK are refused).
/// On success returns 0 and sets *pixels (malloc'd, width * height * 3 bytes; the caller frees it).
/// When the data ends before the image does: with allow_truncated, libjpeg fills the rest with grey and this
/// returns 1, with *pixels set and a message in error; without, it stops there and fails.
/// On failure returns -1 and writes a message into error.
int tg_jpeg_decode_rgb(const uint8_t *data, size_t size, int allow_truncated, uint8_t **pixels, int *width,
                       int *height, char *error, size_t error_size);
