#include "CPNG.h"

#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct reader { const uint8_t *data; size_t size, offset; char *error; size_t error_size; };

static void on_error(png_structp png, png_const_charp message) {
    struct reader *r = png_get_error_ptr(png);
    snprintf(r->error, r->error_size, "%s", message);
    png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp message) { (void)png; (void)message; }

static void read_bytes(png_structp png, png_bytep out, png_size_t count) {
    struct reader *r = png_get_io_ptr(png);
    if (count > r->size - r->offset) png_error(png, "file is truncated");
    memcpy(out, r->data + r->offset, count);
    r->offset += count;
}

int tg_png_decode(const uint8_t *data, size_t size, uint8_t **pixels, int *width, int *height, int *channels,
                  char *error, size_t error_size) {
    struct reader r = {data, size, 0, error, error_size};
    *pixels = NULL;
    if (size < 8 || png_sig_cmp(data, 0, 8) != 0) {
        snprintf(error, error_size, "not a PNG file (bad signature)");
        return -1;
    }
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &r, on_error, on_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!png || !info) {
        snprintf(error, error_size, "out of memory");
        png_destroy_read_struct(&png, &info, NULL);
        return -1;
    }
    uint8_t *volatile out = NULL;
    png_bytep *volatile rows = NULL;
    if (setjmp(png_jmpbuf(png))) {
        free(out);
        free(rows);
        png_destroy_read_struct(&png, &info, NULL);
        return -1;
    }
    png_set_read_fn(png, &r, read_bytes);
    png_read_info(png, info);
    png_uint_32 w = png_get_image_width(png, info), h = png_get_image_height(png, info);
    if (w == 0 || h == 0 || (uint64_t)w * h > (1u << 28)) png_error(png, "image dimensions are zero or too large");
    // Deflate expands at most about 1032:1, so a file this small cannot really hold this many pixels: refuse
    // before allocating what a forged header asks for.
    if ((uint64_t)w * h > 1032u * (uint64_t)size + 65536u) png_error(png, "header claims more pixels than the file can hold");
    // Alpha is kept for the caller to drop (as Pillow's convert("RGB") does) or to composite.
    int n = (png_get_color_type(png, info) & PNG_COLOR_MASK_ALPHA) || png_get_valid(png, info, PNG_INFO_tRNS) ? 4 : 3;
    png_set_expand(png);       // palette -> RGB, gray < 8 bits -> 8 bits, tRNS -> alpha
    png_set_strip_16(png);     // 16-bit -> 8-bit, high byte
    png_set_gray_to_rgb(png);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    if (png_get_rowbytes(png, info) != (size_t)w * n) png_error(png, "unexpected row layout after conversion");
    out = malloc((size_t)w * h * n);
    rows = malloc(sizeof(png_bytep) * h);
    if (!out || !rows) png_error(png, "out of memory");
    for (png_uint_32 y = 0; y < h; y++) rows[y] = out + (size_t)y * w * n;
    png_read_image(png, rows);
    png_read_end(png, NULL);
    free(rows);
    png_destroy_read_struct(&png, &info, NULL);
    *pixels = out;
    *width = (int)w;
    *height = (int)h;
    *channels = n;
    return 0;
}

struct writer { uint8_t *data; size_t size, capacity; char *error; size_t error_size; };

static void on_write_error(png_structp png, png_const_charp message) {
    struct writer *w = png_get_error_ptr(png);
    snprintf(w->error, w->error_size, "%s", message);
    png_longjmp(png, 1);
}

static void write_bytes(png_structp png, png_bytep bytes, png_size_t count) {
    struct writer *w = png_get_io_ptr(png);
    if (count > w->capacity - w->size) {
        size_t capacity = w->capacity ? w->capacity : 4096;
        while (count > capacity - w->size) capacity *= 2;
        uint8_t *grown = realloc(w->data, capacity);
        if (!grown) png_error(png, "out of memory");
        w->data = grown;
        w->capacity = capacity;
    }
    memcpy(w->data + w->size, bytes, count);
    w->size += count;
}

static void flush_bytes(png_structp png) { (void)png; }

int tg_png_encode_rgb(const uint8_t *pixels, int width, int height, uint8_t **png_out, size_t *size, char *error,
                      size_t error_size) {
    struct writer w = {NULL, 0, 0, error, error_size};
    *png_out = NULL;
    *size = 0;
    if (width <= 0 || height <= 0) {
        snprintf(error, error_size, "image dimensions must be positive, got %dx%d", width, height);
        return -1;
    }
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &w, on_write_error, on_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!png || !info) {
        snprintf(error, error_size, "out of memory");
        png_destroy_write_struct(&png, &info);
        return -1;
    }
    if (setjmp(png_jmpbuf(png))) {
        free(w.data);
        png_destroy_write_struct(&png, &info);
        return -1;
    }
    png_set_write_fn(png, &w, write_bytes, flush_bytes);
    png_set_IHDR(png, info, (png_uint_32)width, (png_uint_32)height, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (int y = 0; y < height; y++) png_write_row(png, (png_const_bytep)(pixels + (size_t)y * width * 3));
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    *png_out = w.data;
    *size = w.size;
    return 0;
}
