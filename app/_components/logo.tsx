/** The Safehold mark (public/logo.svg: a shield with a keyhole, in the brand blues). */
export function Logo({ className }: { className?: string }) {
  // A tiny static SVG: next/image would have nothing to optimize.
  // eslint-disable-next-line @next/next/no-img-element
  return <img src="/logo.svg" alt="" aria-hidden className={className} width={64} height={64} />;
}
