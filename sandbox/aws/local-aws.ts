/** The running local AWS (moto_server on loopback), as every sandbox module sees it — its own module, so the harness (moto.ts) and its clients do not import each other. */
export interface LocalAws {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly configFile: string;
  /**
   * For every AWS client and Terraform process: AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE (an
   * empty file), AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_STS, AWS_EC2_METADATA_DISABLED. No AWS_PROFILE:
   * each stack (or command) names its own.
   */
  readonly env: Record<string, string>;
  /** Forget every resource (moto's `POST /moto-api/reset`). */
  reset(): Promise<void>;
  stop(): Promise<void>;
}
