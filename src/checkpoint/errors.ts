/** Why a checkpoint was refused, naming the file (or store key) so an operator can find it. */
export class CheckpointError extends Error {
  constructor(readonly location: string, readonly reason: string) {
    super(`checkpoint ${location} refused: ${reason}`);
    this.name = 'CheckpointError';
  }
}
