/* SPDX-License-Identifier: MIT */
/* The expectation source of ImageBuilder's own arguments (sources.h): when
 * the command vsorelay runs is ImageBuilder's generateBuildMatrix, its
 * options (ibargs.h) give the expected set as if they had been given to
 * vsorelay, and one line says so at the start.  Wrapping the whole
 * ImageBuilder base command then protects generateBuildMatrix and leaves
 * every other ImageBuilder command a plain relay.  A manifest or image-info
 * path vsorelay cannot open (one inside ImageBuilder's container) is a
 * warning: the generator's announcement is still checked. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "imageinfo.h"
#include "json.h"
#include "outcome.h"
#include "sources.h"
#include "verdict.h"

static const char upper_trim[] = "--trim-cached-images: ImageBuilder also leaves out the platforms whose images "
                                 "are cached in the registry, which vsorelay cannot see";
static const char upper_version[] = "--version: ImageBuilder also filters on product versions, which vsorelay "
                                    "does not apply";
static const char upper_image_info[] = "its --image-info cannot be read here: the platforms it marks unchanged "
                                       "are not known";

/* ImageBuilder's filters, its defaults for --os-type and --architecture
 * being the Docker host's. */
static vso_manifest_filter filter_of(const vso_ib_args *ib) {
  return (vso_manifest_filter){
      .os_type = ib->os_type ? ib->os_type : vso_ib_default_os_type(),
      .architecture = ib->architecture ? ib->architecture : vso_ib_default_architecture(),
      .os_versions = ib->os_versions.items, .nos_versions = ib->os_versions.n,
      .paths = ib->paths.items, .npaths = ib->paths.n,
      .distinct_os_versions = ib->distinct_os_versions.items, .ndistinct = ib->distinct_os_versions.n,
      .repos = ib->repos.items, .nrepos = ib->repos.n,
      .vars = ib->vars.items, .nvars = ib->vars.n,
  };
}

/* "ImageBuilder generateBuildMatrix --manifest M [filters]" */
static void describe(vso_buf *note, const vso_ib_args *ib, const vso_manifest_filter *f) {
  vso_buf_append_str(note, "ImageBuilder's generateBuildMatrix --manifest ");
  vso_json_append_printable(note, ib->manifest, 200);
  vso_describe_filters(note, f, ib->image_info, ib->trim_cached_images);
  if (!ib->os_type || !ib->architecture) vso_buf_append_str(note, " (the Docker host's defaults)");
}

/* The image-info file of the arguments, or NULL (and the upper bound)
 * when it cannot be read here. */
static bool load_image_info(const vso_ib_args *ib, vso_sources *s, vso_image_info *info) {
  vso_buf why = {0};
  bool ok = ib->image_info && vso_image_info_load(ib->image_info, info, &why);
  if (ib->image_info && !ok) s->upper_bound = upper_image_info;
  vso_buf_free(&why);
  return ok;
}

/* The expected names from the manifest; false with err set when the
 * filters leave no platform (fail closed) or memory runs out.  *readable
 * says whether the manifest could be read here at all. */
static bool derive(const vso_options *o, vso_sources *s, vso_manifest_filter *f, bool *readable, vso_buf *note,
                   vso_buf *err) {
  const vso_ib_args *ib = &s->imagebuilder;
  vso_image_info info = {0};
  f->image_info = load_image_info(ib, s, &info) ? &info : NULL;
  if (ib->product_versions) s->upper_bound = upper_version;
  if (ib->trim_cached_images) s->upper_bound = upper_trim;
  vso_buf why = {0};
  *readable = vso_manifest_expected(ib->manifest, f, &s->manifest, &why);
  vso_image_info_free(&info);
  if (!*readable) {
    vso_buf_append_str(note, ": warning: cannot read the manifest here (");
    vso_buf_append_str(note, why.data ? why.data : "unknown error");
    vso_buf_append_str(note, "); only the generator's announcement will be checked");
  }
  vso_buf_free(&why);
  if (!*readable) return true;
  if (!s->upper_bound) s->upper_bound = s->manifest.image_info_doubt;
  if (s->manifest.nfiltered == 0 && !o->allow_empty) {
    vso_buf_append(err, note->data, note->len);
    vso_buf_append_str(err, ": no platform is left after the filters, so no output variable would be checked; "
                            "pass --allow-empty to run with nothing to check");
    return false;
  }
  s->manifest_path = ib->manifest;
  s->imagebuilder_used = true;
  return vso_sources_add_manifest_names(s, VSO_SRC_IMAGEBUILDER, err);
}

/* The rest of the note: what is expected. */
static void say_expected(vso_buf *note, const vso_sources *s) {
  if (s->expect.n == 0) {
    vso_buf_append_str(note, s->manifest.nunchanged ? ": every platform is unchanged in the image-info, so no "
                                                      "output variable is expected"
                                                    : ": no output variable is expected");
    return;
  }
  vso_buf_appendf(note, ": expecting %s", s->upper_bound ? "at most " : "");
  vso_words_names(NULL, &s->expect, note);
  if (s->upper_bound) {
    vso_buf_append_str(note, " (");
    vso_buf_append_str(note, s->upper_bound);
    vso_buf_append_str(note, "; the generator's announcement says which must arrive)");
  }
}

bool vso_source_imagebuilder(const vso_options *o, vso_sources *s, vso_buf *err) {
  vso_ib_args *ib = &s->imagebuilder;
  if (!vso_ib_args_read(o->operands, o->noperands, ib)) return vso_buf_append_str(err, "out of memory"), false;
  if (!ib->found) return true;
  vso_manifest_filter f = filter_of(ib);
  vso_buf note = {0};
  describe(&note, ib, &f);
  bool ok = true, readable = false;
  if (ib->help) vso_buf_append_str(&note, ": it only prints its help, so nothing is expected from its arguments");
  else if (ib->response_file)
    vso_buf_append_str(&note, ": its arguments are partly in a response file (@FILE), which vsorelay does not "
                              "read; only the generator's announcement will be checked");
  else ok = derive(o, s, &f, &readable, &note, err);
  if (ok && readable) say_expected(&note, s);
  if (ok && ib->trim_cached_images) s->announcement_required = !o->no_announced;
  if (ok) s->imagebuilder_note = vso_buf_steal(&note, NULL);
  vso_buf_free(&note);
  return ok;
}
