// Decoding PNG with libpng. libpng reports errors by longjmp, which Swift cannot catch, so this helper owns
// the setjmp and turns every error into a message.
#pragma once
#include <stddef.h>
#include <stdint.h>

/// Decodes a PNG held in memory to 8-bit RGB, or RGBA when it has alpha (an alpha channel or a tRNS
/// transparency chunk), with the colours Pillow's convert("RGB") sees: palettes and low bit depths expanded,
/// 16-bit samples reduced to their high byte, gray replicated to RGB, no gamma.
/// On success returns 0 and sets *pixels (malloc'd, width * height * *channels bytes; the caller frees it) and
/// *channels (3 or 4). On failure returns -1 and writes a message into error.
int tg_png_decode(const uint8_t *data, size_t size, uint8_t **pixels, int *width, int *height, int *channels,
                  char *error, size_t error_size);

/// Encodes 8-bit RGB pixels (width * height * 3 bytes, row by row) as a PNG in memory.
/// On success returns 0 and sets *png (malloc'd; the caller frees it) and *size.
/// On failure returns -1 and writes a message into error.
int tg_png_encode_rgb(const uint8_t *pixels, int width, int height, uint8_t **png, size_t *size, char *error,
                      size_t error_size);
