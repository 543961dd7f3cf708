/**
 * Which images tasks may name (config `[containers] allowed_images`). The executor checks at submit.
 *
 *   checkImageAllowed(image, allowedImages) → null when allowed, else ContainerError E_IMAGE_NOT_ALLOWED
 *   assertImageAllowed(image, allowedImages) → throws that error
 *
 * Patterns are matched against the image as written (no registry/short-name normalisation):
 *   `*` any run of characters except "/", `**` any run including "/", `?` one character except "/".
 *   A pattern without a tag or digest also matches the image with any tag or digest
 *   ("localhost/fx-test-a" allows "localhost/fx-test-a:latest"). An empty list allows every image.
 */
import { ContainerError, CONTAINER_ERROR_CODES } from "./errors.ts";

export function checkImageAllowed(image: string, allowedImages: readonly string[]): ContainerError | null {
  if (image === "" || image.startsWith("-") || /\s/.test(image)) {
    return new ContainerError(CONTAINER_ERROR_CODES.IMAGE_NOT_ALLOWED,
      `container image "${image}" is not a valid image name (empty, with spaces, or starting with "-")`, { image });
  }
  if (allowedImages.length === 0) return null;
  if (allowedImages.some((p) => patternMatches(p, image))) return null;
  return new ContainerError(CONTAINER_ERROR_CODES.IMAGE_NOT_ALLOWED,
    `container image "${image}" is not allowed on this endpoint (containers.allowed_images: ${allowedImages.map((p) => `"${p}"`).join(", ")})`,
    { image });
}

export function assertImageAllowed(image: string, allowedImages: readonly string[]): void {
  const err = checkImageAllowed(image, allowedImages);
  if (err) throw err;
}

function hasTagOrDigest(ref: string): boolean {
  const last = ref.slice(ref.lastIndexOf("/") + 1);
  return last.includes(":") || ref.includes("@");
}

export function patternMatches(pattern: string, image: string): boolean {
  const body = globToRegExp(pattern);
  const suffix = hasTagOrDigest(pattern) ? "" : "(?:[:@][^/]*)?";
  return new RegExp(`^${body}${suffix}$`).test(image);
}

function globToRegExp(glob: string): string {
  let out = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "*") {
      if (glob[i + 1] === "*") {
        out += ".*";
        i++;
      } else out += "[^/]*";
    } else if (c === "?") out += "[^/]";
    else out += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return out;
}
